// TODO(#9): camera control, the decoding engines and the GS1 parser land here.
export {};
