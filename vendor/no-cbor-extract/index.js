throw new Error('cbor-extract stand-in: cbor-x uses its JavaScript decoder');
