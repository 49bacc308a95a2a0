// The console's lint: TypeScript's recommended rules and React's hooks rules. The rules of hooks and
// effects' dependencies are errors; the React Compiler's rules (refs during render, state set in an
// effect, components made in render) warn until the console's sockets share one reconnecting class
// (issue 25), which removes most of what they flag. Run by scripts/build-console.sh --test, so bin/test
// fails on an error.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "e2e/**", "*.config.*"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  reactHooks.configs.flat["recommended-latest"],
  {
    files: ["src/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      "react-hooks/refs": "warn",
      "react-hooks/set-state-in-effect": "warn",
      "react-hooks/immutability": "warn",
      "react-hooks/static-components": "warn",
    },
  },
);
