// The dashboard is a client-side app: no server rendering, one fallback page for every route.
export const ssr = false;
export const prerender = false;
