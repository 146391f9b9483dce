//! The operator bundle: the widgets library built with its `operator` feature, whose start()
//! mounts every widget and the operator's; generator/build.rs builds this as a second cdylib.

pub use widgets::start;
