// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Script} from "forge-std/Script.sol";
import {VmSafe} from "forge-std/Vm.sol";
import {console} from "forge-std/console.sol";
import {TransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";

import {ERC20CollateralPool} from "../contracts/collateral/ERC20CollateralPool.sol";
import {CounterpartyPool} from "../contracts/counterparty/CounterpartyPool.sol";
import {AdminCounterpartyPool} from "../contracts/counterparty/AdminCounterpartyPool.sol";
import {CounterpartyPoolBase} from "../contracts/counterparty/CounterpartyPoolBase.sol";
import {IERC20CollateralPool} from "../contracts/interfaces/IERC20CollateralPool.sol";
import {MockERC20} from "../contracts/mocks/MockERC20.sol";
import {MockAggregator} from "../contracts/mocks/MockAggregator.sol";

/// @title Deploy
/// @notice Deploys the collateral pool and both counterparty variants behind
/// `TransparentUpgradeableProxy`s, initialises them, adds the configured collateral pools, hands
/// every role to the configured admin, and writes `deployments/<chainId>.json` (addresses,
/// implementations, block, commit) with the storage layouts the implementations were built with.
/// @dev Environment: `POOLS_CONFIG` (path of `config/<chain>.toml`), `DEPLOYER_PRIVATE_KEY`,
/// `POOLS_FORCE` (overwrite an existing deployment of this chain id), `POOLS_COMMIT` (git commit
/// recorded in the deployment file). Refusals are custom errors, before anything is broadcast.
contract Deploy is Script {
    /// @notice The config is for another chain than the node's.
    error WrongChain(uint256 expected, uint256 actual);
    /// @notice A deployment of this chain id exists; set POOLS_FORCE=true (`pools deploy --force`).
    error AlreadyDeployed(uint256 chainId, string path);
    /// @notice The config misses a value or holds one the pools would refuse.
    error ConfigInvalid(string reason);

    /// @notice Prices of the local mock feeds (8 decimals).
    int256 internal constant MOCK_USDC_PRICE = 1e8;

    /// @notice A mock collateral of a local deployment.
    struct MockCollateral {
        string symbol;
        address token;
        uint8 decimals;
        address feed;
    }

    /// @notice What the script deployed, as written to the deployment file.
    struct Deployed {
        address usdc;
        address usdcFeed;
        address usdcSequencerFeed;
        address collateralPool;
        address counterpartyPool;
        address adminCounterpartyPool;
    }

    string internal toml;
    MockCollateral[] internal mocks;
    address internal mockUsdc;
    address internal mockUsdcFeed;

    /// @notice Runs the deployment described by `POOLS_CONFIG` (see the contract's notes).
    function run() external {
        deploy(
            vm.envString("POOLS_CONFIG"),
            vm.envOr("POOLS_FORCE", false),
            vm.envUint("DEPLOYER_PRIVATE_KEY"),
            vm.envOr("POOLS_COMMIT", string("unknown"))
        );
    }

    /// @notice Deploys what `configPath` describes, signing with `key`; `force` overwrites an
    /// existing deployment file of this chain id; `commit` is recorded in it. Returns the file.
    function deploy(string memory configPath, bool force, uint256 key, string memory commit)
        public
        returns (string memory out)
    {
        toml = vm.readFile(configPath);
        uint256 chainId = vm.parseTomlUint(toml, ".chain_id");
        if (chainId != block.chainid) revert WrongChain(chainId, block.chainid);
        out = deploymentPath(block.chainid);
        if (vm.exists(out) && !force) revert AlreadyDeployed(block.chainid, out);
        address admin = vm.parseTomlAddress(toml, ".admin");
        if (admin == address(0)) revert ConfigInvalid("admin is the zero address");

        address deployer = vm.addr(key);
        vm.startBroadcast(key);
        if (vm.parseTomlBool(toml, ".mocks")) deployMocks();
        Deployed memory d;
        d.usdc = resolveValue(vm.parseTomlString(toml, ".usdc"), "usdc", false);
        d.usdcFeed = resolveValue(vm.parseTomlString(toml, ".usdc_feed"), "usdc_feed", true);
        d.usdcSequencerFeed = vm.parseTomlAddress(toml, ".usdc_sequencer_feed");
        // The deployer administers until everything is configured, then hands over to `admin`.
        d.collateralPool = deployCollateralPool(d, admin, deployer);
        d.counterpartyPool = deployCounterparty(address(new CounterpartyPool()), d.usdc, admin, deployer);
        d.adminCounterpartyPool = deployCounterparty(address(new AdminCounterpartyPool()), d.usdc, admin, deployer);
        vm.stopBroadcast();

        // A simulation (`forge script` without --broadcast, `pools deploy --dry-run`) deploys
        // nothing, so it must not leave a deployment file behind.
        if (vm.isContext(VmSafe.ForgeContext.ScriptDryRun)) {
            console.log("dry run: would write", out);
            return out;
        }
        write(out, d, admin, deployer, commit);
    }

    /// @notice `deployments/<chainId>.json` under the project root.
    function deploymentPath(uint256 chainId) public view returns (string memory) {
        return string.concat(vm.projectRoot(), "/deployments/", vm.toString(chainId), ".json");
    }

    function deployMocks() internal {
        mockUsdc = address(new MockERC20("USD Coin (mock)", "USDC", 6));
        mockUsdcFeed = address(new MockAggregator(8, MOCK_USDC_PRICE));
        // Prices in 8 decimals: WETH $2,000; DFTR $0.02 (the published F6 example's token).
        addMock("WETH", 18, 2000e8);
        addMock("DFTR", 6, 2e6);
    }

    function addMock(string memory symbol, uint8 decimals, int256 price) internal {
        address token = address(new MockERC20(string.concat(symbol, " (mock)"), symbol, decimals));
        address feed = address(new MockAggregator(8, price));
        mocks.push(MockCollateral(symbol, token, decimals, feed));
    }

    /// @notice An address from the config: a literal, or "mock:<SYMBOL>" for a local mock (the
    /// token or, for feeds, its price feed). `what` names the value in errors;
    /// `feed` picks a mock's feed rather than its token.
    function resolveValue(string memory value, string memory what, bool feed) internal view returns (address a) {
        bytes memory raw = bytes(value);
        if (raw.length > 5 && keccak256(slice(raw, 0, 5)) == keccak256("mock:")) {
            string memory symbol = string(slice(raw, 5, raw.length));
            if (keccak256(bytes(symbol)) == keccak256("USDC")) {
                a = feed ? mockUsdcFeed : mockUsdc;
            } else {
                for (uint256 i; i < mocks.length; ++i) {
                    if (keccak256(bytes(mocks[i].symbol)) == keccak256(bytes(symbol))) {
                        a = feed ? mocks[i].feed : mocks[i].token;
                    }
                }
            }
            if (a == address(0)) revert ConfigInvalid(string.concat(what, ": no mock called ", symbol));
        } else {
            a = vm.parseAddress(value);
        }
        if (a == address(0)) revert ConfigInvalid(string.concat(what, " is the zero address"));
    }

    function slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory s) {
        s = new bytes(to - from);
        for (uint256 i; i < s.length; ++i) {
            s[i] = b[from + i];
        }
    }

    function deployCollateralPool(Deployed memory d, address admin, address deployer) internal returns (address) {
        IERC20CollateralPool.InitPool[] memory pools = configuredPools();
        address implementation = address(new ERC20CollateralPool());
        bytes memory init = abi.encodeCall(
            ERC20CollateralPool.__ERC20CollateralPool_init, (deployer, d.usdc, d.usdcFeed, d.usdcSequencerFeed, pools)
        );
        ERC20CollateralPool pool =
            ERC20CollateralPool(address(new TransparentUpgradeableProxy(implementation, admin, init)));
        uint256 maxDelay = vm.parseTomlUint(toml, ".oracle_max_delay");
        if (maxDelay != pool.oracleMaxDelay()) pool.setOracleMaxDelay(maxDelay);
        handOver(address(pool), admin, deployer);
        return address(pool);
    }

    function deployCounterparty(address implementation, address usdc, address admin, address deployer)
        internal
        returns (address proxy)
    {
        // `__Pools_init` grants the admin role to its caller: the proxy's deployer.
        proxy = address(
            new TransparentUpgradeableProxy(
                implementation, admin, abi.encodeCall(CounterpartyPoolBase.__Pools_init, (usdc))
            )
        );
        handOver(proxy, admin, deployer);
    }

    /// @notice Grants `DEFAULT_ADMIN_ROLE` to `admin` and drops the deployer's.
    function handOver(address pool, address admin, address deployer) internal {
        if (admin == deployer) return;
        ERC20CollateralPool(pool).grantRole(bytes32(0), admin);
        ERC20CollateralPool(pool).renounceRole(bytes32(0), deployer);
    }

    function configuredPools() internal view returns (IERC20CollateralPool.InitPool[] memory pools) {
        uint256 n;
        while (vm.keyExistsToml(toml, string.concat(".pools[", vm.toString(n), "]"))) ++n;
        pools = new IERC20CollateralPool.InitPool[](n);
        for (uint256 i; i < n; ++i) {
            string memory p = string.concat(".pools[", vm.toString(i), "]");
            string memory what = string.concat("pools[", vm.toString(i), "]");
            pools[i] = IERC20CollateralPool.InitPool({
                collateralToken: resolveValue(
                    vm.parseTomlString(toml, string.concat(p, ".collateral_token")), what, false
                ),
                collateralTokenPriceOracle: resolveValue(
                    vm.parseTomlString(toml, string.concat(p, ".price_feed")), what, true
                ),
                collateralTokenSequencerOracle: vm.parseTomlAddress(toml, string.concat(p, ".sequencer_feed")),
                maxPoolCapacity: vm.parseTomlUint(toml, string.concat(p, ".max_pool_capacity")),
                minLended: vm.parseTomlUint(toml, string.concat(p, ".min_lended")),
                minBorrow: vm.parseTomlUint(toml, string.concat(p, ".min_borrow")),
                endTime: uint48(block.timestamp + vm.parseTomlUint(toml, string.concat(p, ".duration_days")) * 1 days),
                collateralTokenFactor: uint24(vm.parseTomlUint(toml, string.concat(p, ".collateral_factor_bps"))),
                collateralTokenLTVPercentage: uint24(vm.parseTomlUint(toml, string.concat(p, ".ltv_bps"))),
                interest: uint24(vm.parseTomlUint(toml, string.concat(p, ".interest_bps")))
            });
        }
    }

    function write(string memory out, Deployed memory d, address admin, address deployer, string memory commit)
        internal
    {
        string memory root = "deployment";
        vm.serializeUint(root, "chainId", block.chainid);
        vm.serializeString(root, "commit", commit);
        vm.serializeUint(root, "block", block.number);
        vm.serializeAddress(root, "deployer", deployer);
        vm.serializeAddress(root, "admin", admin);
        vm.serializeAddress(root, "usdc", d.usdc);
        vm.serializeAddress(root, "usdcFeed", d.usdcFeed);
        vm.serializeAddress(root, "usdcSequencerFeed", d.usdcSequencerFeed);
        vm.serializeString(root, "collateralPool", proxyJson("collateralPool", d.collateralPool));
        vm.serializeString(root, "counterpartyPool", proxyJson("counterpartyPool", d.counterpartyPool));
        vm.serializeString(root, "adminCounterpartyPool", proxyJson("adminCounterpartyPool", d.adminCounterpartyPool));
        vm.serializeString(root, "pools", "[]");
        string memory json = vm.serializeString(root, "mocks", mocksJson());
        vm.createDir(string.concat(vm.projectRoot(), "/deployments"), true);
        vm.writeJson(json, out);
        // Serialised values are strings; arrays of objects go in by path so they stay JSON arrays.
        vm.writeJson(poolsJson(d.collateralPool), out, ".pools");
        if (mockUsdc != address(0)) vm.writeJson(mockCollateralsJson(), out, ".mocks.collaterals");
        // The layouts these implementations were built with: `pools upgrade` checks the next
        // implementation against them (crates/storage-layout).
        recordLayout(out, "collateralPool", "ERC20CollateralPool");
        recordLayout(out, "counterpartyPool", "CounterpartyPool");
        recordLayout(out, "adminCounterpartyPool", "CounterpartyPool");
    }

    /// @notice Copies `storage-layouts/<file>.json` (kept current by `make test`) into `out` at
    /// `.<key>.storageLayout`.
    function recordLayout(string memory out, string memory key, string memory file) internal {
        string memory layout = vm.readFile(string.concat(vm.projectRoot(), "/storage-layouts/", file, ".json"));
        vm.writeJson(layout, out, string.concat(".", key, ".storageLayout"));
    }

    function proxyJson(string memory key, address proxy) internal returns (string memory) {
        vm.serializeAddress(key, "proxy", proxy);
        vm.serializeAddress(key, "implementation", implementationOf(proxy));
        return vm.serializeAddress(key, "proxyAdmin", adminOf(proxy));
    }

    function poolsJson(address pool) internal returns (string memory json) {
        uint256 n = ERC20CollateralPool(pool).poolsLength();
        json = "[";
        for (uint256 i; i < n; ++i) {
            (, IERC20CollateralPool.CollateralDetails memory c,,,,,) = ERC20CollateralPool(pool).pools(i);
            string memory key = string.concat("pool", vm.toString(i));
            vm.serializeUint(key, "poolId", i);
            vm.serializeAddress(key, "collateralToken", c.collateralToken);
            string memory item = vm.serializeAddress(key, "priceFeed", c.collateralTokenPriceOracle);
            json = string.concat(json, i == 0 ? "" : ",", item);
        }
        json = string.concat(json, "]");
    }

    function mocksJson() internal returns (string memory) {
        if (mockUsdc == address(0)) return "null";
        vm.serializeAddress("mocks", "usdc", mockUsdc);
        vm.serializeAddress("mocks", "usdcFeed", mockUsdcFeed);
        return vm.serializeString("mocks", "collaterals", "[]");
    }

    function mockCollateralsJson() internal returns (string memory list) {
        list = "[";
        for (uint256 i; i < mocks.length; ++i) {
            string memory key = string.concat("mock", vm.toString(i));
            vm.serializeString(key, "symbol", mocks[i].symbol);
            vm.serializeAddress(key, "token", mocks[i].token);
            vm.serializeUint(key, "decimals", mocks[i].decimals);
            list = string.concat(list, i == 0 ? "" : ",", vm.serializeAddress(key, "feed", mocks[i].feed));
        }
        list = string.concat(list, "]");
    }

    function implementationOf(address proxy) internal view returns (address) {
        return address(uint160(uint256(vm.load(proxy, ERC1967Utils.IMPLEMENTATION_SLOT))));
    }

    function adminOf(address proxy) internal view returns (address) {
        return address(uint160(uint256(vm.load(proxy, ERC1967Utils.ADMIN_SLOT))));
    }
}
