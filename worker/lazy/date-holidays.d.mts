// Types of the generated worker/lazy/date-holidays.mjs (scripts/lazy.mjs): the package's own.
export { default } from "date-holidays";
