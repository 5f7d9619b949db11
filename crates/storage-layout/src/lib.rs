//! Storage-layout checks for upgrades.
//!
//! The pools keep all state in ERC-7201 namespaced structs, which `forge inspect storageLayout`
//! does not list; `script/layout/StorageLayoutProbes.sol` declares each namespace struct as a
//! plain state variable so the compiler lays it out. This crate turns that output into a stable
//! [`Layout`] (labels instead of AST ids), keeps it in `storage-layouts/<Contract>.json`
//! (committed; the deploy script copies it into `deployments/<chainId>.json`), and compares the
//! layout recorded for a deployment with the layout of the source about to replace it:
//! every existing field must keep its slot, offset and type; new fields may only be appended
//! where nothing follows them (the namespace struct, or structs stored as mapping values).

use std::{collections::HashMap, fmt, path::Path, process::Command};

use eyre::{WrapErr, bail, eyre};
use serde::{Deserialize, Serialize};

/// The pool contracts an upgrade can target: (name used by `pools upgrade`, key in the
/// deployment file, probe contract laying out its namespace, committed layout file).
pub const TARGETS: &[Target] = &[
    Target {
        name: "collateral",
        deployment_key: "collateralPool",
        probe: "ERC20CollateralPoolLayout",
        file: "storage-layouts/ERC20CollateralPool.json",
    },
    Target {
        name: "counterparty",
        deployment_key: "counterpartyPool",
        probe: "CounterpartyPoolLayout",
        file: "storage-layouts/CounterpartyPool.json",
    },
    Target {
        name: "admin-counterparty",
        deployment_key: "adminCounterpartyPool",
        probe: "CounterpartyPoolLayout",
        file: "storage-layouts/CounterpartyPool.json",
    },
];

/// An upgradeable pool contract and where its layout lives.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Name on the command line.
    pub name: &'static str,
    /// Key of its entry in `deployments/<chainId>.json`.
    pub deployment_key: &'static str,
    /// Probe contract in `script/layout/StorageLayoutProbes.sol`.
    pub probe: &'static str,
    /// Committed layout file, relative to the repository root.
    pub file: &'static str,
}

/// The target called `name`.
pub fn target(name: &str) -> eyre::Result<&'static Target> {
    TARGETS.iter().find(|t| t.name == name).ok_or_else(|| {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        eyre!("unknown upgrade target {name:?}; one of {names:?}")
    })
}

/// A storage type, as the compiler lays it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Type {
    /// A value stored in place: integers, addresses, booleans, enums, fixed bytes.
    Value {
        /// Solidity type, e.g. `uint48`.
        label: String,
        /// Bytes it takes.
        bytes: u64,
    },
    /// A struct stored in place.
    Struct {
        /// Solidity name, e.g. `struct ERC20CollateralPool.Pool`.
        label: String,
        /// Bytes it takes (a multiple of 32).
        bytes: u64,
        /// Its fields in order.
        members: Vec<Member>,
    },
    /// A fixed-size array stored in place.
    StaticArray {
        /// Element type.
        base: Box<Type>,
        /// Bytes the whole array takes.
        bytes: u64,
    },
    /// A dynamic array: length in place, elements from keccak(slot).
    DynamicArray {
        /// Element type.
        base: Box<Type>,
    },
    /// A mapping: values at keccak(key . slot).
    Mapping {
        /// Key type.
        key: Box<Type>,
        /// Value type.
        value: Box<Type>,
    },
    /// `bytes` or `string`.
    Bytes {
        /// `bytes` or `string`.
        label: String,
    },
}

/// A field of a struct (or the probe's single state variable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Field name.
    pub label: String,
    /// Slot relative to the start of the enclosing struct.
    pub slot: u64,
    /// Byte offset inside that slot.
    pub offset: u64,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: Type,
}

/// The layout of one ERC-7201 namespace: its struct.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// The namespace struct.
    pub root: Type,
}

#[derive(Deserialize)]
struct ForgeLayout {
    storage: Vec<ForgeItem>,
    types: HashMap<String, ForgeType>,
}

#[derive(Deserialize)]
struct ForgeItem {
    label: String,
    slot: String,
    offset: u64,
    #[serde(rename = "type")]
    ty: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ForgeType {
    encoding: String,
    label: String,
    number_of_bytes: String,
    base: Option<String>,
    key: Option<String>,
    value: Option<String>,
    members: Option<Vec<ForgeItem>>,
}

impl Layout {
    /// Parses `forge inspect <probe> storageLayout --json` output: the probe's single state
    /// variable is the namespace struct.
    pub fn from_forge_json(json: &str) -> eyre::Result<Self> {
        let forge: ForgeLayout = serde_json::from_str(json).wrap_err("parsing forge's storage layout")?;
        let [item] = forge.storage.as_slice() else {
            bail!("a layout probe declares exactly one state variable, found {}", forge.storage.len());
        };
        let root = convert(&forge.types, &item.ty, 0)?;
        if !matches!(root, Type::Struct { .. }) {
            bail!("the probe's state variable `{}` is not a struct", item.label);
        }
        Ok(Self { root })
    }
}

fn convert(types: &HashMap<String, ForgeType>, id: &str, depth: usize) -> eyre::Result<Type> {
    if depth > 32 {
        bail!("storage type {id} nests deeper than 32 levels");
    }
    let t = types.get(id).ok_or_else(|| eyre!("storage layout has no type {id}"))?;
    let bytes: u64 = t.number_of_bytes.parse().wrap_err_with(|| format!("numberOfBytes of {id}"))?;
    let sub = |field: &Option<String>, what: &str| -> eyre::Result<Box<Type>> {
        let child = field.as_deref().ok_or_else(|| eyre!("{id} has no {what}"))?;
        Ok(Box::new(convert(types, child, depth + 1)?))
    };
    Ok(match t.encoding.as_str() {
        "inplace" => match &t.members {
            Some(members) => Type::Struct {
                label: t.label.clone(),
                bytes,
                members: members
                    .iter()
                    .map(|m| {
                        Ok(Member {
                            label: m.label.clone(),
                            slot: m.slot.parse().wrap_err_with(|| format!("slot of {}", m.label))?,
                            offset: m.offset,
                            ty: convert(types, &m.ty, depth + 1)?,
                        })
                    })
                    .collect::<eyre::Result<_>>()?,
            },
            None if t.base.is_some() => Type::StaticArray { base: sub(&t.base, "base")?, bytes },
            None => Type::Value { label: t.label.clone(), bytes },
        },
        "dynamic_array" => Type::DynamicArray { base: sub(&t.base, "base")? },
        "mapping" => Type::Mapping { key: sub(&t.key, "key")?, value: sub(&t.value, "value")? },
        "bytes" => Type::Bytes { label: t.label.clone() },
        other => bail!("unknown storage encoding {other:?} of {id}"),
    })
}

/// One way a new layout would corrupt state written under the old one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    /// Where, e.g. `PoolStorage.pools[].lended`.
    pub path: String,
    /// What changed, in words.
    pub problem: String,
}

impl fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

/// Every incompatibility of `new` with state written under `old` (empty: safe to upgrade).
pub fn compare(old: &Layout, new: &Layout) -> Vec<Incompatibility> {
    let mut found = Vec::new();
    let name = match &old.root {
        Type::Struct { label, .. } => label.rsplit(['.', ' ']).next().unwrap_or(label).to_owned(),
        _ => "namespace".to_owned(),
    };
    // The namespace struct ends nowhere in particular: it may grow.
    compare_types(&old.root, &new.root, &name, Growth::Allowed, &mut found);
    found
}

/// Whether a struct may gain fields at its end where it is stored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Growth {
    /// Nothing is stored after it (namespace root, mapping value).
    Allowed,
    /// Something follows it (array element, field followed by others): its size is fixed.
    Fixed,
}

fn compare_types(old: &Type, new: &Type, path: &str, growth: Growth, found: &mut Vec<Incompatibility>) {
    let mut problem = |p: String| found.push(Incompatibility { path: path.to_owned(), problem: p });
    match (old, new) {
        (Type::Value { label: a, bytes: x }, Type::Value { label: b, bytes: y }) => {
            if a != b || x != y {
                problem(format!("type changed from {a} to {b}"));
            }
        }
        (Type::Bytes { label: a }, Type::Bytes { label: b }) if a == b => {}
        (Type::DynamicArray { base: a }, Type::DynamicArray { base: b }) => {
            // Elements sit back to back: an element struct cannot grow.
            compare_types(a, b, &format!("{path}[]"), Growth::Fixed, found);
        }
        (Type::StaticArray { base: a, bytes: x }, Type::StaticArray { base: b, bytes: y }) => {
            if x != y {
                problem(format!("fixed array size changed from {x} to {y} bytes"));
            }
            compare_types(a, b, &format!("{path}[]"), Growth::Fixed, found);
        }
        (Type::Mapping { key: ka, value: va }, Type::Mapping { key: kb, value: vb }) => {
            if ka != kb {
                problem("mapping key type changed".to_owned());
            }
            compare_types(va, vb, &format!("{path}[key]"), Growth::Allowed, found);
        }
        (Type::Struct { bytes: x, members: ma, .. }, Type::Struct { bytes: y, members: mb, .. }) => {
            if growth == Growth::Fixed && x != y {
                problem(format!("struct size changed from {x} to {y} bytes where it is stored back to back"));
            }
            for (i, a) in ma.iter().enumerate() {
                let child = format!("{path}.{}", a.label);
                let Some(b) = mb.get(i) else {
                    found.push(Incompatibility { path: child, problem: "field removed".to_owned() });
                    continue;
                };
                if a.label != b.label {
                    found.push(Incompatibility {
                        path: child.clone(),
                        problem: format!("field at this position renamed or replaced by `{}`", b.label),
                    });
                }
                if (a.slot, a.offset) != (b.slot, b.offset) {
                    found.push(Incompatibility {
                        path: child.clone(),
                        problem: format!(
                            "moved from slot {} offset {} to slot {} offset {}",
                            a.slot, a.offset, b.slot, b.offset
                        ),
                    });
                }
                // A struct field followed by others cannot grow; the last one can if its parent can.
                let child_growth = if i + 1 == ma.len() { growth } else { Growth::Fixed };
                compare_types(&a.ty, &b.ty, &child, child_growth, found);
            }
        }
        _ => problem(format!("storage kind changed from {} to {}", kind(old), kind(new))),
    }
}

fn kind(t: &Type) -> &'static str {
    match t {
        Type::Value { .. } => "value",
        Type::Struct { .. } => "struct",
        Type::StaticArray { .. } => "fixed array",
        Type::DynamicArray { .. } => "dynamic array",
        Type::Mapping { .. } => "mapping",
        Type::Bytes { .. } => "bytes/string",
    }
}

/// Lays out `probe` from the current sources (`forge inspect`).
pub fn inspect(root: &Path, probe: &str) -> eyre::Result<Layout> {
    // Two forge processes compiling into the same out/ and cache/ race; one at a time.
    static FORGE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = FORGE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let output = Command::new(foundry_tools::foundry_binary(root, "forge")?)
        .current_dir(root)
        .args(["inspect", probe, "storageLayout", "--json"])
        .envs(foundry_tools::forge_env(root))
        .output()
        .wrap_err("running forge inspect")?;
    if !output.status.success() {
        bail!("forge inspect {probe} storageLayout failed:\n{}", String::from_utf8_lossy(&output.stderr));
    }
    let text = String::from_utf8(output.stdout).wrap_err("forge inspect printed non-UTF-8")?;
    Layout::from_forge_json(&text).wrap_err_with(|| format!("laying out {probe}"))
}

/// Reads a layout in this crate's format (a committed file, or a deployment's record).
pub fn read(path: &Path) -> eyre::Result<Layout> {
    let text = std::fs::read_to_string(path).wrap_err_with(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).wrap_err_with(|| format!("parsing the layout in {}", path.display()))
}

/// Writes `layout` in this crate's format, pretty-printed for review in diffs.
pub fn write(path: &Path, layout: &Layout) -> eyre::Result<()> {
    let text = serde_json::to_string_pretty(layout)? + "\n";
    std::fs::write(path, text).wrap_err_with(|| format!("writing {}", path.display()))
}

/// Refuses to upgrade `which` (a [`TARGETS`] name) of the deployment in `deployment` (a
/// `deployments/<chainId>.json`) unless the current source keeps every field of the layout
/// recorded there. The error lists every incompatibility.
pub fn check_upgrade(root: &Path, deployment: &Path, which: &str) -> eyre::Result<()> {
    let target = target(which)?;
    let text = std::fs::read_to_string(deployment).wrap_err_with(|| format!("reading {}", deployment.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).wrap_err_with(|| format!("parsing {}", deployment.display()))?;
    let recorded = json
        .get(target.deployment_key)
        .and_then(|entry| entry.get("storageLayout"))
        .ok_or_else(|| {
            eyre!(
                "{} records no storage layout for {}: it was not deployed by script/Deploy.s.sol, so the upgrade cannot be checked",
                deployment.display(),
                target.deployment_key
            )
        })?;
    let old: Layout = serde_json::from_value(recorded.clone())
        .wrap_err_with(|| format!("parsing the recorded layout of {}", target.deployment_key))?;
    let new = inspect(root, target.probe)?;
    let problems = compare(&old, &new);
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
    bail!(
        "refusing to upgrade {which}: the new source would corrupt state written by the deployed implementation:\n{}",
        list.join("\n")
    )
}

/// Rewrites every committed layout file from the current sources; returns the files written.
pub fn write_committed(root: &Path) -> eyre::Result<Vec<&'static str>> {
    let mut written = Vec::new();
    for target in TARGETS {
        if written.contains(&target.file) {
            continue;
        }
        write(&root.join(target.file), &inspect(root, target.probe)?)?;
        written.push(target.file);
    }
    Ok(written)
}

/// Checks the committed layout files against the current sources: an incompatible source is
/// refused with every problem listed; a compatible but unrecorded change asks for `make layouts`.
pub fn check_committed(root: &Path) -> eyre::Result<()> {
    let mut stale = Vec::new();
    let mut seen = Vec::new();
    for target in TARGETS {
        if seen.contains(&target.file) {
            continue;
        }
        seen.push(target.file);
        let current = inspect(root, target.probe)?;
        let path = root.join(target.file);
        if !path.exists() {
            stale.push(format!("{} is missing; run `make layouts`", target.file));
            continue;
        }
        let committed = read(&path)?;
        let problems = compare(&committed, &current);
        if !problems.is_empty() {
            let list: Vec<String> = problems.iter().map(|p| format!("    - {p}")).collect();
            stale.push(format!(
                "{}: the sources are INCOMPATIBLE with the committed layout (deployed proxies could not be upgraded):\n{}",
                target.file,
                list.join("\n")
            ));
        } else if committed != current {
            stale.push(format!("{}: compatible change not recorded; run `make layouts` and commit it", target.file));
        }
    }
    if stale.is_empty() { Ok(()) } else { bail!("storage layouts:\n  {}", stale.join("\n  ")) }
}
