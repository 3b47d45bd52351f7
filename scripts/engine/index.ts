/**
 * Engine-level harness: capture a program's resources with the real SDK, run them through the real
 * dynamic provider host over gRPC. See docs/engine.md.
 */
export * from "./capture";
export * from "./deploy";
export * from "./host";
export * from "./protocol";
export * from "./world";
