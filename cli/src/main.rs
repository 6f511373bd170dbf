fn main() { shared::hello(); }
