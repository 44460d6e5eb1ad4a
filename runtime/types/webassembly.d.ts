// The part of the WebAssembly JS API the kernel uses. The kernel compiles without "dom" or "webworker"
// libs (it must not touch those APIs), and TypeScript only declares WebAssembly in those libs.
declare namespace WebAssembly {
  type ImportValue = Function | Global | Memory | Table | number;
  type ModuleImports = Record<string, ImportValue>;
  type Imports = Record<string, ModuleImports>;
  type ExportValue = Function | Global | Memory | Table;
  type Exports = Record<string, ExportValue>;
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean; }
  interface GlobalDescriptor { value: 'i32' | 'i64' | 'f32' | 'f64'; mutable?: boolean; }
  interface ModuleImportDescriptor { module: string; name: string; kind: string; }
  interface ModuleExportDescriptor { name: string; kind: string; }
  class Module {
    constructor(bytes: BufferSource);
    static imports(m: Module): ModuleImportDescriptor[];
    static exports(m: Module): ModuleExportDescriptor[];
  }
  class Instance {
    constructor(m: Module, imports?: Imports);
    readonly exports: Exports;
  }
  class Memory {
    constructor(d: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  class Global {
    constructor(d: GlobalDescriptor, v?: number | bigint);
    value: any;
  }
  class Table { readonly length: number; }
  class RuntimeError extends Error {}
  class CompileError extends Error {}
  class LinkError extends Error {}
  function compile(bytes: BufferSource): Promise<Module>;
  function instantiate(m: Module, imports?: Imports): Promise<Instance>;
  function validate(bytes: BufferSource): boolean;
}
type BufferSource = ArrayBufferView | ArrayBuffer;
