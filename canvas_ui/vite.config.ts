import { defineConfig } from "vite";

// The engine serves the built canvas at /nifi/; in `npm run dev` the API is proxied to it.
export default defineConfig({
  base: "/nifi/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      onwarn(warning, warn) {
        // @xyflow/react marks itself "use client" for React Server Components; irrelevant here.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      "/nifi-api": { target: process.env.NIFI_LIKE_URL ?? "http://127.0.0.1:8080", ws: true, changeOrigin: true },
    },
  },
});
