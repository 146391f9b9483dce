//! End-to-end tests: the real binary, the demo backend over HTTP, a fault server, the preview server.

mod a11y;
mod alert_panel;
mod check_widget;
mod checks;
mod cli;
mod crash;
mod faults;
mod honest;
mod mail_tls;
mod module_alert;
mod notify;
mod operate_widget;
mod phone;
mod pipeline;
mod prometheus;
mod recorded;
mod replay;
mod report;
mod report_figures;
mod schedule;
mod serve;
mod site;
mod support;
mod wasm;
mod webdriver;
mod widgets;
