// The page's entry point (bundled to dist/web/app.js): registers the components; index.html holds the shell.
import './components/app/app.js';
