// Test helper: a response body read as UTF-8 text whatever its Content-Type. Files are served as
// application/octet-stream (as Kestra serves them), and Response.text() on that type makes workerd
// warn that the text may be corrupted; these tests know the bytes are UTF-8 text.
export async function bodyText(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}
