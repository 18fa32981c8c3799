// esbuild bundles CSS imports into dashboard.css.
declare module "*.css";
