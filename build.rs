//! The method list of the JS API lives in one place: the `CognitoAuth` interface of
//! `src/js/types.d.ts`. Each method's doc comment names the part of the package that carries it
//! (`@part signIn`); a method written in JS around the wasm says so (`@js`).
//!
//! From it this script generates `$OUT_DIR/methods.rs` (included by `src/js/methods.rs`): the
//! `Part` enum, one `Method` enum per part, and `Method` with its index (the number the JS
//! facade passes to the wasm) and name. Each part's dispatch is an exhaustive `match` on its own
//! enum, so a method declared without an implementation, or an implementation of a method that
//! is not declared (a misspelt name), fails the build. `scripts/finish-pkg.mjs` reads the same
//! declarations for the JS side (`scripts/methods.mjs`), in the same order.
use std::fmt::Write as _;

const DECLARATIONS: &str = "src/js/types.d.ts";

/// A declared method: its JS name, its part, and whether JS implements it (no wasm entry).
struct Declared {
    name: String,
    part: String,
    js_only: bool,
}

fn main() -> Result<(), String> {
    println!("cargo:rerun-if-changed={DECLARATIONS}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(DECLARATIONS).map_err(|e| format!("{DECLARATIONS}: {e}"))?;
    let methods = declared(&text)?;
    check_part_names(&text, &methods)?;
    let out = std::env::var("OUT_DIR").map_err(|e| e.to_string())?;
    std::fs::write(std::path::Path::new(&out).join("methods.rs"), generate(&methods)).map_err(|e| e.to_string())
}

/// The members of `export interface CognitoAuth { … }`, in order, overloads once.
fn declared(text: &str) -> Result<Vec<Declared>, String> {
    let start = text.find("export interface CognitoAuth {").ok_or("no `export interface CognitoAuth {` in the declarations")?;
    let body = &text[start..];
    let body = &body[..body.find("\n}").ok_or("the CognitoAuth interface is not closed")?];
    let mut methods: Vec<Declared> = vec![];
    let mut doc = String::new();
    for line in body.lines().skip(1) {
        let t = line.trim();
        if t.starts_with("/**") || t.starts_with('*') {
            doc.push_str(t);
            doc.push('\n');
            continue;
        }
        let Some(name) = line.strip_prefix("  ").and_then(|l| l.split('(').next()).filter(|n| is_ident(n)) else {
            continue;
        };
        if methods.last().is_some_and(|m| m.name == name) {
            doc.clear(); // an overload of the method just read
            continue;
        }
        if methods.iter().any(|m| m.name == name) {
            return Err(format!("{name} is declared twice in the CognitoAuth interface (overloads must be adjacent)"));
        }
        let part = tag(&doc, "@part").ok_or_else(|| format!("{name}: its doc comment has no `@part <part>` tag"))?;
        methods.push(Declared { name: name.to_string(), part, js_only: doc.contains("@js") });
        doc.clear();
    }
    if methods.is_empty() {
        return Err("the CognitoAuth interface declares no methods".into());
    }
    Ok(methods)
}

/// `export type PartName = "main" | …` (what `preload` takes) lists exactly the parts used.
fn check_part_names(text: &str, methods: &[Declared]) -> Result<(), String> {
    let decl = "export type PartName =";
    let at = text.find(decl).ok_or("no `export type PartName` in the declarations")? + decl.len();
    let union = &text[at..at + text[at..].find(';').ok_or("PartName is not closed")?];
    let mut named: Vec<&str> = union.split('|').map(|p| p.trim().trim_matches('"')).collect();
    let mut used: Vec<&str> = methods.iter().map(|m| m.part.as_str()).collect();
    named.sort_unstable();
    used.sort_unstable();
    used.dedup();
    if named != used {
        return Err(format!("PartName lists {named:?}, but the methods' @part tags are {used:?}"));
    }
    Ok(())
}

fn tag(doc: &str, tag: &str) -> Option<String> {
    let at = doc.find(tag)? + tag.len();
    let word: String = doc[at..].trim_start().chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    (!word.is_empty()).then_some(word)
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// `signIn` → `SignIn`; `signIn` (a part) → `sign_in` (its module).
fn camel(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

fn snake(s: &str) -> String {
    s.chars().fold(String::new(), |mut o, c| {
        if c.is_ascii_uppercase() {
            o.push('_');
        }
        o.push(c.to_ascii_lowercase());
        o
    })
}

fn generate(methods: &[Declared]) -> String {
    let wasm: Vec<&Declared> = methods.iter().filter(|m| !m.js_only).collect();
    let mut parts: Vec<&str> = vec![];
    for m in methods {
        if !parts.contains(&m.part.as_str()) {
            parts.push(&m.part);
        }
    }
    let mut o = String::from("// Generated by build.rs from src/js/types.d.ts: edit the declarations, not this file.\n\n");
    o += "/// The parts of the package, each loaded when first needed (`@part` in the declarations).\n";
    o += "#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum Part {\n";
    for p in &parts {
        let _ = writeln!(o, "    {},", camel(p));
    }
    o += "}\n\nimpl Part {\n";
    let _ = writeln!(o, "    pub const ALL: [Part; {}] = [{}];", parts.len(), parts.iter().map(|p| format!("Part::{}", camel(p))).collect::<Vec<_>>().join(", "));
    o += "    /// The part's name in JS (`auth.preload(name)`).\n    pub fn name(self) -> &'static str {\n        match self {\n";
    for p in &parts {
        let _ = writeln!(o, "            Part::{} => \"{p}\",", camel(p));
    }
    o += "        }\n    }\n\n    pub fn parse(name: &str) -> Option<Part> {\n        Part::ALL.into_iter().find(|p| p.name() == name)\n    }\n}\n\n";
    for p in &parts {
        let _ = writeln!(o, "/// The wasm methods of the `{p}` part.\npub mod {} {{\n    #[derive(Clone, Copy, Debug, PartialEq, Eq)]\n    #[allow(clippy::enum_variant_names)]\n    pub enum Method {{", snake(p));
        for m in wasm.iter().filter(|m| m.part == *p) {
            let _ = writeln!(o, "        {},", camel(&m.name));
        }
        o += "    }\n}\n\n";
    }
    o += "/// A wasm method of the JS API, by part.\n#[derive(Clone, Copy, Debug, PartialEq, Eq)]\npub enum Method {\n";
    for p in &parts {
        let _ = writeln!(o, "    {}({}::Method),", camel(p), snake(p));
    }
    o += "}\n\n/// Every declared method's JS name, in declaration order (`@js` ones included).\n";
    let _ = writeln!(o, "pub const DECLARED: [&str; {}] = [{}];\n", methods.len(), methods.iter().map(|m| format!("{:?}", m.name)).collect::<Vec<_>>().join(", "));
    o += "/// The wasm methods, in the order of their indices (what the JS facade passes).\n";
    let _ = writeln!(o, "pub const METHODS: [Method; {}] = [", wasm.len());
    for m in &wasm {
        let _ = writeln!(o, "    Method::{}({}::Method::{}),", camel(&m.part), snake(&m.part), camel(&m.name));
    }
    o += "];\n\nimpl Method {\n    /// The JS name.\n    pub fn name(self) -> &'static str {\n        match self {\n";
    for m in &wasm {
        let _ = writeln!(o, "            Method::{}({}::Method::{}) => {:?},", camel(&m.part), snake(&m.part), camel(&m.name), m.name);
    }
    o += "        }\n    }\n\n    pub fn part(self) -> Part {\n        match self {\n";
    for p in &parts {
        let _ = writeln!(o, "            Method::{}(_) => Part::{},", camel(p), camel(p));
    }
    o += "        }\n    }\n}\n";
    o
}
