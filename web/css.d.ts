// Stylesheets imported as text (esbuild loader 'text', scripts/bundle-web.mjs).
declare module '*.css' {
  const text: string;
  export default text;
}
