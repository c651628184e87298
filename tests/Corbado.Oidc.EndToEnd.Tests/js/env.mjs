// The scripts' configuration: environment variables set by the test that runs them.
export function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}
