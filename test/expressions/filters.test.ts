import { describe, expect, it } from "vitest";
import { RenderError, render, renderTyped } from "../../worker/expressions";

const vars = {
  s: "Hello World",
  list: [3, 1, 2],
  nested: [[1, 2], [3], 4],
  map: { b: 2, a: 1 },
  json: '{"items":[{"id":1,"ok":true},{"id":2,"ok":false},{"id":3,"ok":true}],"name":"x"}',
  obj: {
    items: [
      { id: 1, tags: ["a", "b"] },
      { id: 2, tags: [] },
    ],
    meta: { count: 2 },
  },
  path: "dir/sub/file.tar.gz",
  multi: "line1\nline2",
  n: -3.5,
  nullish: null,
};

const cases: [string, string][] = [
  ["{{ s | upper }}", "HELLO WORLD"],
  ["{{ s | lower }}", "hello world"],
  ["{{ 'hello wORLD' | title }}", "Hello World"],
  ["{{ 'hello' | capitalize }}", "Hello"],
  ["{{ '  x  ' | trim }}", "x"],
  ["{{ s | replace({'World': 'There', 'Hello': 'Bye'}) }}", "Bye There"],
  ["{{ 'a1b22' | replace({'\\\\d+': '#'}, regexp=true) }}", "a#b#"],
  ["{{ 'a,b,,c' | split(',') }}", '["a","b","","c"]'],
  ["{{ 'a,b,c' | split(',', 2) }}", '["a","b,c"]'],
  ["{{ 'Héllo, Wörld!' | slugify }}", "hello-world"],
  ["{{ path | substringBefore('/') }}", "dir"],
  ["{{ path | substringAfter('/') }}", "sub/file.tar.gz"],
  ["{{ path | substringBeforeLast('.') }}", "dir/sub/file.tar"],
  ["{{ path | substringAfterLast('.') }}", "gz"],
  ["{{ path | substringAfter('#') }}", ""],
  ["{{ path | startsWith('dir') }}", "true"],
  ["{{ path | endsWith('.zip') }}", "false"],
  ["{{ s | abbreviate(8) }}", "Hello..."],
  ["{{ multi | indent(2) }}", "line1\n  line2"],
  ["{{ multi | nindent(2) }}", "\n  line1\n  line2"],
  ["{{ \"it's\" | escapeChar('single') }}", "it\\'s"],
  ["{{ \"it's\" | escapeChar('shell') }}", "it'\\''s"],
  ["{{ 'a b&c=d/é' | urlencode }}", "a+b%26c%3Dd%2F%C3%A9"],
  ["{{ 'a+b%26c' | urldecode }}", "a b&c"],
  ["{{ 'hello' | base64encode }}", "aGVsbG8="],
  ["{{ 'aGVsbG8=' | base64decode }}", "hello"],
  ["{{ 'abc' | sha1 }}", "a9993e364706816aba3e25717850c26c9cd0d89d"],
  ["{{ 'abc' | sha256 }}", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ["{{ 'abc' | md5 }}", "900150983cd24fb0d6963f7d28e17f72"],
  [
    "{{ 'abc' | sha512 }}",
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  ],
  ["{{ '42' | number + 1 }}", "43"],
  ["{{ '4.5' | number('DOUBLE') * 2 }}", "9"],
  ["{{ 1234567.891 | numberFormat('#,##0.00') }}", "1,234,567.89"],
  ["{{ 0.5 | numberFormat('0.000') }}", "0.500"],
  ["{{ n | abs }}", "3.5"],
  ["{{ s | className }}", "java.lang.String"],
  ["{{ list | first }}", "3"],
  ["{{ list | last }}", "2"],
  ["{{ s | first }}", "H"],
  ["{{ map | keys }}", '["b","a"]'],
  ["{{ map | values }}", "[2,1]"],
  ["{{ list | keys }}", "[0,1,2]"],
  ["{{ list | length }}", "3"],
  ["{{ s | length }}", "11"],
  ["{{ map | length }}", "2"],
  ["{{ list | join('-') }}", "3-1-2"],
  ["{{ list | sort }}", "[1,2,3]"],
  ["{{ list | rsort }}", "[3,2,1]"],
  ["{{ list | reverse }}", "[2,1,3]"],
  ["{{ list | slice(1, 3) }}", "[1,2]"],
  ["{{ s | slice(0, 5) }}", "Hello"],
  ["{{ [1,2,3,4,5] | chunk(2) }}", "[[1,2],[3,4],[5]]"],
  ["{{ nested | flatten }}", "[1,2,3,4]"],
  ["{{ list | merge([9]) }}", "[3,1,2,9]"],
  ["{{ map | merge({'c': 3}) }}", '{"b":2,"a":1,"c":3}'],
  ["{{ [1,1,2] | distinct }}", "[1,2]"],
  ["{{ map | toJson }}", '{"b":2,"a":1}'],
  ["{{ s | toJson }}", '"Hello World"'],
  ["{{ nullish | toJson }}", "null"],
  ["{{ map | json }}", '{"b":2,"a":1}'],
  ["{{ (json | fromJson).name }}", "x"],
  ["{{ map | yaml }}", "b: 2\na: 1\n"],
  ["{{ nullish | default('d') }}", "d"],
  ["{{ json | jq('.name') }}", '["x"]'],
  ["{{ json | jq('.name') | first }}", "x"],
  ["{{ json | jq('.items[].id') }}", "[1,2,3]"],
  ["{{ json | jq('.items[0]') | first }}", '{"id":1,"ok":true}'],
  ["{{ json | jq('.items | length') | first }}", "3"],
  ["{{ json | jq('[.items[] | select(.ok == true) | .id]') | first }}", "[1,3]"],
  ["{{ json | jq('.items | map(.id * 10)') | first }}", "[10,20,30]"],
  ["{{ obj | jq('.items[] | select(.tags | length > 0) | {id, n: (.tags | length)}') }}", '[{"id":1,"n":2}]'],
  ["{{ obj | jq('.meta | keys') | first }}", '["count"]'],
  ["{{ obj | jq('.') | first }}", '{"items":[{"id":1,"tags":["a","b"]},{"id":2,"tags":[]}],"meta":{"count":2}}'],
  ["{{ obj | jq('.missing // \"dflt\"') | first }}", "dflt"],
  ["{{ obj | jq('.items[-1].id, .meta.count') }}", "[2,2]"],
  ["{{ obj | jq('[.items[].tags[]] | join(\",\")') | first }}", "a,b"],
  ["{{ obj | jq('.items[] | .id | tostring') }}", '["1","2"]'],
  ["{{ [3,1] | jq('sort | .[0]') | first }}", "1"],
  ["{{ nullish | upper }}", ""],
  ["{% for c in 'a,b' | split(',') %}[{{ c }}]{% endfor %}", "[a][b]"],
];

describe("filters (spec §7.3)", () => {
  for (const [template, expected] of cases) {
    it(`renders ${template} as ${JSON.stringify(expected)}`, async () => {
      expect(await render(template, vars)).toBe(expected);
    });
  }

  it("returns jq results as a list in typed rendering", async () => {
    expect(await renderTyped("{{ json | jq('.items[].ok') }}", vars)).toEqual([true, false, true]);
  });

  it("accepts named filter arguments", async () => {
    expect(await render("{{ list | join(separator='+') }}", vars)).toBe("3+1+2");
  });

  for (const template of [
    "{{ 'abc' | number }}",
    "{{ json | jq('.[') }}",
    "{{ json | jq('nosuchfn') }}",
    "{{ 'x' | escapeChar('weird') }}",
    "{{ list | slice(2, 10) }}",
    "{{ 'not json' | fromJson }}",
  ]) {
    it(`fails ${template} with a RenderError`, async () => {
      await expect(render(template, vars)).rejects.toBeInstanceOf(RenderError);
    });
  }
});
