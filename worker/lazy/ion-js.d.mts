// Types of the generated worker/lazy/ion-js.mjs (scripts/lazy.mjs): the package's own.
export { load } from "ion-js";
