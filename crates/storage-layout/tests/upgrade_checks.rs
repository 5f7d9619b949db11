//! What the upgrade check accepts and refuses, on the committed layouts of the real pools.

use std::path::{Path, PathBuf};

use storage_layout::{Layout, Member, Type, check_upgrade, compare, inspect, read};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn committed(file: &str) -> eyre::Result<Layout> {
    read(&root().join("storage-layouts").join(file))
}

fn members(layout: &mut Layout) -> &mut Vec<Member> {
    match &mut layout.root {
        Type::Struct { members, .. } => members,
        other => panic!("namespace is not a struct: {other:?}"),
    }
}

/// The element struct of the namespace field `field`, a dynamic array of structs.
fn element_members<'a>(layout: &'a mut Layout, field: &str) -> &'a mut Vec<Member> {
    let member = members(layout).iter_mut().find(|m| m.label == field).expect("field exists");
    match &mut member.ty {
        Type::DynamicArray { base } => match base.as_mut() {
            Type::Struct { members, .. } => members,
            other => panic!("{field}[] is not a struct array: {other:?}"),
        },
        other => panic!("{field} is not an array: {other:?}"),
    }
}

fn appended(slot: u64, label: &str) -> Member {
    Member { label: label.into(), slot, offset: 0, ty: Type::Value { label: "uint256".into(), bytes: 32 } }
}

#[test]
fn an_unchanged_layout_is_compatible() -> eyre::Result<()> {
    for file in ["ERC20CollateralPool.json", "CounterpartyPool.json"] {
        let layout = committed(file)?;
        assert_eq!(compare(&layout, &layout), vec![], "{file}");
    }
    Ok(())
}

#[test]
fn appending_to_the_namespace_is_compatible() -> eyre::Result<()> {
    let old = committed("ERC20CollateralPool.json")?;
    let mut new = old.clone();
    let next = members(&mut new).iter().map(|m| m.slot).max().unwrap_or_default() + 1;
    members(&mut new).push(appended(next, "newCounter"));
    assert_eq!(compare(&old, &new), vec![]);
    Ok(())
}

#[test]
fn reordering_the_namespace_is_refused() -> eyre::Result<()> {
    let old = committed("CounterpartyPool.json")?;
    let mut new = old.clone();
    let fields = members(&mut new);
    let (a, b) = (fields[0].clone(), fields[1].clone());
    fields[0] = Member { slot: a.slot, offset: a.offset, ..b.clone() };
    fields[1] = Member { slot: b.slot, offset: b.offset, ..a };
    let problems = compare(&old, &new);
    assert!(problems.iter().any(|p| p.path == "PoolsStorage.usdc" && p.problem.contains("renamed")), "{problems:?}");
    Ok(())
}

#[test]
fn retyping_a_field_is_refused() -> eyre::Result<()> {
    let old = committed("ERC20CollateralPool.json")?;
    let mut new = old.clone();
    let field = members(&mut new).iter_mut().find(|m| m.label == "oracleMaxDelay").expect("field");
    field.ty = Type::Value { label: "uint64".into(), bytes: 8 };
    let problems = compare(&old, &new);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].to_string(), "PoolStorage.oracleMaxDelay: type changed from uint32 to uint64");
    Ok(())
}

#[test]
fn growing_an_array_element_is_refused() -> eyre::Result<()> {
    // Pools sit back to back in `pools[]`: a field appended to `Pool` would shift every later pool.
    let old = committed("ERC20CollateralPool.json")?;
    let mut new = old.clone();
    let pool = element_members(&mut new, "pools");
    let next = pool.iter().map(|m| m.slot).max().unwrap_or_default() + 1;
    pool.push(appended(next, "extra"));
    let member = members(&mut new).iter_mut().find(|m| m.label == "pools").expect("pools");
    if let Type::DynamicArray { base } = &mut member.ty
        && let Type::Struct { bytes, .. } = base.as_mut()
    {
        *bytes += 32;
    }
    let problems = compare(&old, &new);
    assert!(
        problems.iter().any(|p| p.path == "PoolStorage.pools[]" && p.problem.contains("struct size changed")),
        "{problems:?}"
    );
    Ok(())
}

#[test]
fn a_compiled_reordered_namespace_is_refused() -> eyre::Result<()> {
    let old = committed("CounterpartyPool.json")?;
    let new = inspect(&root(), "IncompatibleCounterpartyLayout")?;
    let problems = compare(&old, &new);
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"PoolsStorage.usdc"), "{problems:?}");
    assert!(paths.contains(&"PoolsStorage.feesCollected"), "{problems:?}");
    Ok(())
}

#[test]
fn check_upgrade_accepts_the_recorded_layout_and_refuses_a_tampered_one() -> eyre::Result<()> {
    let dir = std::env::temp_dir().join(format!("storage-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let layout = committed("ERC20CollateralPool.json")?;
    let deployment =
        |layout: &Layout| serde_json::json!({ "chainId": 31337, "collateralPool": { "storageLayout": layout } });

    let faithful = dir.join("faithful.json");
    std::fs::write(&faithful, deployment(&layout).to_string())?;
    check_upgrade(&root(), &faithful, "collateral")?;

    // A deployment whose implementation stored `usdcFeesCollected` one slot later than the
    // current source does: upgrading would read fees from the wrong slot.
    let mut old = layout.clone();
    members(&mut old).iter_mut().find(|m| m.label == "usdcFeesCollected").expect("field").slot += 1;
    let tampered = dir.join("tampered.json");
    std::fs::write(&tampered, deployment(&old).to_string())?;
    let err = check_upgrade(&root(), &tampered, "collateral").expect_err("must refuse");
    let message = format!("{err:#}");
    assert!(message.contains("refusing to upgrade collateral"), "{message}");
    assert!(message.contains("PoolStorage.usdcFeesCollected: moved from slot 4 offset 0 to slot 3"), "{message}");

    let unknown = check_upgrade(&root(), &faithful, "treasury").expect_err("unknown target");
    assert!(format!("{unknown:#}").contains("unknown upgrade target"), "{unknown:#}");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[test]
fn committed_layouts_match_the_sources() -> eyre::Result<()> {
    storage_layout::check_committed(&root())
}
