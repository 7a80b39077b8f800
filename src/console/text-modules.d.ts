// The console's browser files are bundled as text (wrangler.toml [[rules]] type = "Text"), so
// importing one gives its source, to be served as it is.
declare module './client/*' {
  const source: string;
  export default source;
}
declare module './widget/*' {
  const source: string;
  export default source;
}
