fn main() {
    napi_build::setup();
    // Only this file decides what the script emits: without this line cargo would re-run it (and
    // rebuild the addon) whenever anything in the package changes, node_modules included.
    println!("cargo::rerun-if-changed=build.rs");
}
