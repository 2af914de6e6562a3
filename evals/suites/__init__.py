"""One module per eval suite: each loads its dataset, runs planbot offline and returns its metrics."""
