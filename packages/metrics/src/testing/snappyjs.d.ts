declare module 'snappyjs' {
  const SnappyJS: {
    uncompress(input: Uint8Array | ArrayBuffer | Buffer): Uint8Array;
    compress(input: Uint8Array | ArrayBuffer | Buffer): Uint8Array;
  };
  export default SnappyJS;
}
