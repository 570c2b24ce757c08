// The public API of cdk-ott-constructs: every construct, its props, enums and factory classes.
export {};
