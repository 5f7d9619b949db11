//! The narrated lifecycle of both pool kinds on a fresh local deployment with mocks: what
//! `pools demo` prints and `crates/cli/tests/anvil_e2e.rs` asserts.

use std::io::Write;

use alloy::{
    primitives::{Address, I256, U256},
    signers::local::PrivateKeySigner,
};
use bindings::MockAggregator;
use eyre::{Result, WrapErr, eyre};
use pools_sdk::{Call, Client, Table, TokenUnits, Variant};

/// Where the narration goes: stdout for the demo, a buffer or a sink in tests.
pub type Narration<'a> = &'a mut (dyn Write + Send);

/// One person of the story.
#[derive(Clone, Debug)]
pub struct Actor {
    /// Name in the narration.
    pub name: &'static str,
    /// Role, for the table.
    pub role: &'static str,
    /// Address.
    pub address: Address,
}

/// The cast, on anvil's accounts 0–6 (account 0 deployed and administers).
#[derive(Clone, Debug)]
pub struct Cast {
    /// Deployer and pools' admin (feeds are refreshed from it).
    pub admin: Actor,
    /// Lender.
    pub alice: Actor,
    /// Lender.
    pub bob: Actor,
    /// WETH borrower: repays one loan, lets another go overdue.
    pub carol: Actor,
    /// DFTR borrower, liquidated after a price drop.
    pub dave: Actor,
    /// Liquidator.
    pub eve: Actor,
    /// Counterparty pool owner (borrower).
    pub frank: Actor,
}

impl Cast {
    /// Names anvil's accounts 0–6; `keys` are anvil's keys, account 0 first.
    pub fn from_keys(keys: &[PrivateKeySigner]) -> Result<Self> {
        let actor = |i: usize, name, role| -> Result<Actor> {
            let key = keys.get(i).ok_or_else(|| eyre!("anvil account {i} missing"))?;
            Ok(Actor { name, role, address: key.address() })
        };
        Ok(Self {
            admin: actor(0, "admin", "deployer, admin")?,
            alice: actor(1, "alice", "lender")?,
            bob: actor(2, "bob", "lender")?,
            carol: actor(3, "carol", "borrower (WETH)")?,
            dave: actor(4, "dave", "borrower (DFTR)")?,
            eve: actor(5, "eve", "liquidator")?,
            frank: actor(6, "frank", "counterparty owner")?,
        })
    }

    fn all(&self) -> [&Actor; 7] {
        [&self.admin, &self.alice, &self.bob, &self.carol, &self.dave, &self.eve, &self.frank]
    }
}

/// The figures the lifecycle produced, for assertions.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Interest carol paid on her repaid WETH loan, USDC base units.
    pub carol_interest_paid: U256,
    /// USDC eve paid to liquidate dave's loan after the price drop.
    pub eve_paid_for_price_liquidation: U256,
    /// DFTR eve received for it.
    pub eve_dftr_received: U256,
    /// USDC eve paid to liquidate carol's overdue loan.
    pub eve_paid_for_overdue_liquidation: U256,
    /// WETH eve received for it.
    pub eve_weth_received: U256,
    /// Alice's USDC at the end minus at the start (both pool kinds).
    pub alice_gain: I256,
    /// Bob's USDC at the end minus at the start (both pool kinds).
    pub bob_gain: I256,
    /// USDC fees the counterparty pool holds (creation fee + collect fee).
    pub counterparty_fees: U256,
    /// Rewards alice received from the counterparty pool.
    pub alice_counterparty_rewards: U256,
    /// Rewards bob received from the counterparty pool.
    pub bob_counterparty_rewards: U256,
    /// Status of the counterparty pool at the end.
    pub counterparty_final_status: String,
}

/// Tokens of the demo: USDC and the mock collaterals, with their feeds.
struct Tokens {
    usdc: Address,
    weth: Address,
    dftr: Address,
    dftr_feed: Address,
    usdc_units: TokenUnits,
    weth_units: TokenUnits,
    dftr_units: TokenUnits,
}

/// Runs the lifecycle on `client` (connected with the cast's keys to a fresh deployment with
/// mocks), narrating into `out`. Collateral pool 0 is WETH, pool 1 is DFTR (config/anvil.toml).
pub async fn run_lifecycle(client: &Client, cast: &Cast, out: Narration<'_>) -> Result<Report> {
    let d = client.deployment().clone();
    if d.mocks.is_none() {
        return Err(eyre!("the demo needs a deployment with mocks (config/anvil.toml)"));
    }
    let (weth, dftr) = (d.mock_collateral("WETH")?, d.mock_collateral("DFTR")?);
    let t = Tokens {
        usdc: d.usdc,
        weth: weth.token,
        dftr: dftr.token,
        dftr_feed: dftr.feed,
        usdc_units: client.token_units(d.usdc).await?,
        weth_units: client.token_units(weth.token).await?,
        dftr_units: client.token_units(dftr.token).await?,
    };
    for actor in cast.all() {
        client.label(actor.address, actor.name);
    }
    let mut report = Report::default();
    let story = Story { client, cast, t: &t };
    let usdc = |text: &str| t.usdc_units.parse(text);

    story.step(
        out,
        "Minting test tokens: USDC for lenders, the liquidator and the pool owner; WETH and DFTR for the borrowers.",
    )?;
    for (who, amount) in [
        (&cast.alice, "20000"),
        (&cast.bob, "20000"),
        (&cast.carol, "500"),
        (&cast.eve, "10000"),
        (&cast.frank, "10000"),
    ] {
        story.mint(t.usdc, who, usdc(amount)?).await?;
    }
    story.mint(t.weth, &cast.carol, t.weth_units.parse("5")?).await?;
    story.mint(t.weth, &cast.frank, t.weth_units.parse("1")?).await?;
    story.mint(t.dftr, &cast.dave, t.dftr_units.parse("300000")?).await?;
    let alice_start = client.balance_of(t.usdc, cast.alice.address).await?;
    let bob_start = client.balance_of(t.usdc, cast.bob.address).await?;
    story.table(out).await?;

    story
        .step(out, "Lenders lend: alice puts 10,000 USDC in the WETH pool (0), bob 5,000 USDC in the DFTR pool (1).")?;
    story.act(out, &cast.alice, |c| async move { c.lend(0, usdc("10000")?).await }).await?;
    story.act(out, &cast.bob, |c| async move { c.lend(1, usdc("5000")?).await }).await?;
    story.table(out).await?;

    story.step(out, "Borrowers borrow against collateral: carol 3,000 USDC on 3 WETH and 1,000 USDC on 1 WETH, dave 2,000 USDC on 250,000 DFTR.")?;
    let weth_units = t.weth_units.clone();
    story
        .act(out, &cast.carol, |c| async move { c.borrow(0, usdc("3000")?, Some(weth_units.parse("3")?)).await })
        .await?;
    let weth_units = t.weth_units.clone();
    story
        .act(out, &cast.carol, |c| async move { c.borrow(0, usdc("1000")?, Some(weth_units.parse("1")?)).await })
        .await?;
    let dftr_units = t.dftr_units.clone();
    story
        .act(out, &cast.dave, |c| async move { c.borrow(1, usdc("2000")?, Some(dftr_units.parse("250000")?)).await })
        .await?;
    story.table(out).await?;

    story.step(out, "Ten days pass (prices are refreshed, as live feeds would be); interest accrues.")?;
    story.advance(10 * DAY).await?;
    story.table(out).await?;

    story.step(out, "carol repays her first loan in full, with its interest, and gets her 3 WETH back.")?;
    let before = client.balance_of(t.usdc, cast.carol.address).await?;
    story.act(out, &cast.carol, |c| async move { c.repay(0, 0, None).await }).await?;
    let after = client.balance_of(t.usdc, cast.carol.address).await?;
    report.carol_interest_paid = before - after - usdc("3000")?;
    writeln!(out, "  carol paid {} of interest", t.usdc_units.format(report.carol_interest_paid))?;
    story.table(out).await?;

    story.step(out, "The DFTR price drops (halving until dave's loan is unhealthy).")?;
    let feed = MockAggregator::new(t.dftr_feed, client.provider());
    let mut price = feed.latestRoundData().call().await?._1;
    for _ in 0..6 {
        if client.borrow_positions(cast.dave.address).await?.iter().any(|b| b.liquidatable) {
            break;
        }
        price /= I256::try_from(2)?;
        story.set_price(t.dftr_feed, price).await?;
        writeln!(
            out,
            "  DFTR now costs ${}",
            TokenUnits { symbol: String::new(), decimals: 8 }.format_number(price.into_raw())
        )?;
    }
    story.table(out).await?;
    story.step(out, "eve, a liquidator, repays dave's loan with the fee and takes DFTR worth the debt plus 10 %.")?;
    let before = story.balances(&cast.eve).await?;
    let dave = cast.dave.address;
    story.act(out, &cast.eve, move |c| async move { c.liquidate(1, dave, 0, None).await }).await?;
    let after = story.balances(&cast.eve).await?;
    report.eve_paid_for_price_liquidation = before.0 - after.0;
    report.eve_dftr_received = after.2 - before.2;
    story.table(out).await?;

    let end = client.collateral_pool_info(0).await?.end_time;
    let now = client.now().await?;
    story.step(
        out,
        &format!(
            "Time runs to the WETH pool's end ({} days on): carol's second loan is overdue; eve liquidates it.",
            end.saturating_sub(now).div_ceil(DAY)
        ),
    )?;
    story.advance(end.saturating_sub(now) + 60).await?;
    let before = story.balances(&cast.eve).await?;
    let carol = cast.carol.address;
    story.act(out, &cast.eve, move |c| async move { c.liquidate(0, carol, 1, None).await }).await?;
    let after = story.balances(&cast.eve).await?;
    report.eve_paid_for_overdue_liquidation = before.0 - after.0;
    report.eve_weth_received = after.1 - before.1;
    story.table(out).await?;

    story.step(out, "Lenders claim their USDC back with the interest the borrowers paid.")?;
    story.act(out, &cast.alice, |c| async move { c.claim(0, 0, None).await }).await?;
    story.act(out, &cast.bob, |c| async move { c.claim(1, 0, None).await }).await?;
    story.table(out).await?;

    story.step(out, "frank opens a counterparty pool: 5,000–10,000 USDC for a week, 2 % minimum return, 1 WETH as collateral (200 USDC creation fee).")?;
    let deadline = client.now().await? + 7 * DAY;
    let weth_token = t.weth;
    let weth_units = t.weth_units.clone();
    let pool_id: u64 = bindings::CounterpartyPool::new(d.counterparty_pool.proxy, client.provider())
        .poolIndex()
        .call()
        .await?
        .try_into()?;
    story
        .act(out, &cast.frank, |c| async move {
            c.create_pool(
                Variant::Default,
                usdc("5000")?,
                usdc("10000")?,
                deadline,
                2_000_000,
                &[(weth_token, weth_units.parse("1")?)],
            )
            .await
        })
        .await?;
    story.step(out, "alice commits 4,000 USDC and bob 3,000 USDC.")?;
    story.act(out, &cast.alice, |c| async move { c.commit(Variant::Default, pool_id, usdc("4000")?).await }).await?;
    story.act(out, &cast.bob, |c| async move { c.commit(Variant::Default, pool_id, usdc("3000")?).await }).await?;
    story.table(out).await?;

    story.step(out, "The deadline passes with the soft cap met: frank collects the commits less the 2 % fee.")?;
    story.advance(7 * DAY + 60).await?;
    story.counterparty_line(out, pool_id).await?;
    story.act(out, &cast.frank, |c| async move { c.collect(Variant::Default, pool_id).await }).await?;
    story.table(out).await?;

    story.step(
        out,
        "frank repays: he deposits 7,140 USDC of rewards (commits + 2 %) and closes the pool, getting his WETH back.",
    )?;
    story
        .act(out, &cast.frank, |c| async move { c.deposit_rewards(Variant::Default, pool_id, usdc("7140")?).await })
        .await?;
    story.counterparty_line(out, pool_id).await?;
    story.act(out, &cast.frank, |c| async move { c.close(Variant::Default, pool_id).await }).await?;
    story.step(out, "The lenders claim their rewards.")?;
    let alice_before = client.balance_of(t.usdc, cast.alice.address).await?;
    story.act(out, &cast.alice, |c| async move { c.claim_rewards(Variant::Default, pool_id).await }).await?;
    report.alice_counterparty_rewards = client.balance_of(t.usdc, cast.alice.address).await? - alice_before;
    let bob_before = client.balance_of(t.usdc, cast.bob.address).await?;
    story.act(out, &cast.bob, |c| async move { c.claim_rewards(Variant::Default, pool_id).await }).await?;
    report.bob_counterparty_rewards = client.balance_of(t.usdc, cast.bob.address).await? - bob_before;
    story.table(out).await?;

    story.step(out, "Sixty days after closing, frank archives the pool.")?;
    story.advance(61 * DAY).await?;
    story.counterparty_line(out, pool_id).await?;
    story.act(out, &cast.frank, |c| async move { c.archive(Variant::Default, pool_id).await }).await?;
    let info = client.counterparty_pool_info(Variant::Default, pool_id).await?;
    report.counterparty_final_status = info.status.to_owned();
    report.counterparty_fees =
        bindings::CounterpartyPool::new(d.counterparty_pool.proxy, client.provider()).feesCollected().call().await?;
    report.alice_gain = signed(client.balance_of(t.usdc, cast.alice.address).await?)? - signed(alice_start)?;
    report.bob_gain = signed(client.balance_of(t.usdc, cast.bob.address).await?)? - signed(bob_start)?;
    story.table(out).await?;
    story.step(
        out,
        &format!(
            "Done. alice gained {}, bob {}; the counterparty contract holds {} of fees.",
            format_signed(&t.usdc_units, report.alice_gain),
            format_signed(&t.usdc_units, report.bob_gain),
            t.usdc_units.format(report.counterparty_fees)
        ),
    )?;
    Ok(report)
}

const DAY: u64 = 86_400;

fn signed(value: U256) -> Result<I256> {
    I256::try_from(value).map_err(|_| eyre!("balance too large"))
}

fn format_signed(units: &TokenUnits, value: I256) -> String {
    let sign = if value.is_negative() { "-" } else { "+" };
    format!("{sign}{}", units.format(value.unsigned_abs()))
}

struct Story<'a> {
    client: &'a Client,
    cast: &'a Cast,
    t: &'a Tokens,
}

impl Story<'_> {
    fn step(&self, out: Narration<'_>, text: &str) -> Result<()> {
        writeln!(out, "\n▶ {text}")?;
        Ok(())
    }

    /// Builds the calls `action` returns as `actor` and sends them, printing their effects.
    async fn act<F, Fut>(&self, out: Narration<'_>, actor: &Actor, action: F) -> Result<()>
    where
        F: FnOnce(Client) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<Call>>>,
    {
        let client = self.client.as_sender(actor.address);
        let calls =
            action(client.clone()).await.wrap_err_with(|| format!("{} could not prepare the action", actor.name))?;
        for call in &calls {
            let outcome = client.send(call).await?;
            writeln!(out, "  {}: {} ({} gas)", actor.name, call.description, outcome.gas_used)?;
            for effect in &outcome.effects {
                writeln!(out, "    → {effect}")?;
            }
        }
        Ok(())
    }

    async fn mint(&self, token: Address, to: &Actor, amount: U256) -> Result<()> {
        pools_sdk::local::mint(&self.client.as_sender(self.cast.admin.address), token, to.address, amount).await
    }

    async fn set_price(&self, feed: Address, answer: I256) -> Result<()> {
        pools_sdk::local::set_price(&self.client.as_sender(self.cast.admin.address), feed, answer).await
    }

    /// Moves the chain's clock and re-publishes every price (feeds go stale after 90,000 s).
    async fn advance(&self, seconds: u64) -> Result<()> {
        pools_sdk::local::advance_time(&self.client.as_sender(self.cast.admin.address), seconds).await
    }

    /// (USDC, WETH, DFTR) of an actor.
    async fn balances(&self, actor: &Actor) -> Result<(U256, U256, U256)> {
        self.balance_triple(actor.address).await
    }

    async fn balance_triple(&self, who: Address) -> Result<(U256, U256, U256)> {
        Ok((
            self.client.balance_of(self.t.usdc, who).await?,
            self.client.balance_of(self.t.weth, who).await?,
            self.client.balance_of(self.t.dftr, who).await?,
        ))
    }

    async fn counterparty_line(&self, out: Narration<'_>, pool_id: u64) -> Result<()> {
        let p = self.client.counterparty_pool_info(Variant::Default, pool_id).await?;
        let flags: Vec<&str> = [(p.collectable, "collectable"), (p.closable, "closable"), (p.archivable, "archivable")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
        writeln!(
            out,
            "  counterparty pool {pool_id}: {}, {} committed, {} rewards; now {}",
            p.status,
            self.t.usdc_units.format(p.committed),
            self.t.usdc_units.format(p.rewards),
            if flags.is_empty() { "nothing to do".to_owned() } else { flags.join(", ") }
        )?;
        Ok(())
    }

    /// The balance table: actors and pool contracts × USDC / WETH / DFTR / positions.
    async fn table(&self, out: Narration<'_>) -> Result<()> {
        let t = self.t;
        let mut table = Table::new(["who", "role", "USDC", "WETH", "DFTR", "positions"]);
        let d = self.client.deployment();
        let mut rows: Vec<(String, String, Address)> =
            self.cast.all().iter().skip(1).map(|a| (a.name.to_owned(), a.role.to_owned(), a.address)).collect();
        rows.push(("collateral pool".into(), "contract".into(), d.collateral_pool.proxy));
        rows.push(("counterparty pool".into(), "contract".into(), d.counterparty_pool.proxy));
        for (name, role, address) in rows {
            let (usdc, weth, dftr) = self.balance_triple(address).await?;
            let positions = self.positions(address).await?;
            table.row([
                name,
                role,
                t.usdc_units.format_number(usdc),
                t.weth_units.format_number(weth),
                t.dftr_units.format_number(dftr),
                positions,
            ]);
        }
        write!(out, "{table}")?;
        Ok(())
    }

    async fn positions(&self, user: Address) -> Result<String> {
        let u = &self.t.usdc_units;
        let mut parts = Vec::new();
        for l in self.client.lend_positions(user).await? {
            parts.push(format!(
                "lent {} to pool {} (+{} rewards)",
                u.format_number(l.principal),
                l.pool_id,
                u.format_number(l.rewards)
            ));
        }
        for b in self.client.borrow_positions(user).await? {
            let flag = if b.liquidatable { ", LIQUIDATABLE" } else { "" };
            parts.push(format!(
                "owes {} + {} to pool {}{flag}",
                u.format_number(b.principal),
                u.format_number(b.interest),
                b.pool_id
            ));
        }
        for c in self.client.commits(Variant::Default, user).await? {
            parts.push(format!(
                "committed {} to cp {} ({} claimable)",
                u.format_number(c.amount),
                c.pool_id,
                u.format_number(c.claimable)
            ));
        }
        Ok(if parts.is_empty() { "-".into() } else { parts.join("; ") })
    }
}
