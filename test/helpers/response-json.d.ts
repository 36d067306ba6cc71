// In tests, response bodies are inspected freely; the app code never relies on this.
declare global {
  interface Response {
    json(): Promise<any>;
  }
}
export {};
