// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Script} from "forge-std/Script.sol";
import {stdJson} from "forge-std/StdJson.sol";
import {ProxyAdmin} from "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol";
import {ITransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";

import {ERC20CollateralPool} from "../contracts/collateral/ERC20CollateralPool.sol";
import {CounterpartyPool} from "../contracts/counterparty/CounterpartyPool.sol";
import {AdminCounterpartyPool} from "../contracts/counterparty/AdminCounterpartyPool.sol";

/// @title Upgrade
/// @notice Deploys the current source of one pool contract and points its proxy at it through the
/// proxy's `ProxyAdmin`, then records the new implementation in `deployments/<chainId>.json`.
/// @dev Storage compatibility is validated before this runs: `pools upgrade <which>` compares the
/// storage layout recorded at deployment with the new source's and sets POOLS_LAYOUT_CHECKED only
/// when every existing field keeps its slot, offset and type. Environment: `POOLS_UPGRADE`
/// (`collateral`, `counterparty` or `admin-counterparty`), `DEPLOYER_PRIVATE_KEY` (the
/// ProxyAdmin's owner), `POOLS_LAYOUT_CHECKED`.
contract Upgrade is Script {
    using stdJson for string;

    /// @notice Run through `pools upgrade`, which validates the storage layout first.
    error LayoutNotChecked();
    /// @notice `POOLS_UPGRADE` names no pool contract.
    error UnknownTarget(string which);
    /// @notice No deployment file for this chain id.
    error NotDeployed(uint256 chainId, string path);

    /// @notice Upgrades the contract named by `POOLS_UPGRADE` (see the contract's notes).
    function run() external {
        upgrade(
            vm.envString("POOLS_UPGRADE"), vm.envUint("DEPLOYER_PRIVATE_KEY"), vm.envOr("POOLS_LAYOUT_CHECKED", false)
        );
    }

    /// @notice Upgrades `which` of this chain's deployment, signing with `signer` (the ProxyAdmin's
    /// owner); refuses unless `layoutChecked`. Returns the new implementation.
    function upgrade(string memory which, uint256 signer, bool layoutChecked) public returns (address implementation) {
        if (!layoutChecked) revert LayoutNotChecked();
        string memory key = jsonKey(which);
        string memory path = string.concat(vm.projectRoot(), "/deployments/", vm.toString(block.chainid), ".json");
        if (!vm.exists(path)) revert NotDeployed(block.chainid, path);
        string memory json = vm.readFile(path);
        address proxy = json.readAddress(string.concat(".", key, ".proxy"));
        address proxyAdmin = json.readAddress(string.concat(".", key, ".proxyAdmin"));

        vm.startBroadcast(signer);
        implementation = newImplementation(which);
        ProxyAdmin(proxyAdmin).upgradeAndCall(ITransparentUpgradeableProxy(proxy), implementation, "");
        vm.stopBroadcast();

        vm.writeJson(vm.toString(implementation), path, string.concat(".", key, ".implementation"));
        // From now on upgrades are checked against the layout just installed.
        string memory file =
            keccak256(bytes(which)) == keccak256("collateral") ? "ERC20CollateralPool" : "CounterpartyPool";
        string memory layout = vm.readFile(string.concat(vm.projectRoot(), "/storage-layouts/", file, ".json"));
        vm.writeJson(layout, path, string.concat(".", key, ".storageLayout"));
    }

    /// @notice The deployment file's key of `which`.
    function jsonKey(string memory which) public pure returns (string memory) {
        bytes32 h = keccak256(bytes(which));
        if (h == keccak256("collateral")) return "collateralPool";
        if (h == keccak256("counterparty")) return "counterpartyPool";
        if (h == keccak256("admin-counterparty")) return "adminCounterpartyPool";
        revert UnknownTarget(which);
    }

    function newImplementation(string memory which) internal returns (address) {
        bytes32 h = keccak256(bytes(which));
        if (h == keccak256("collateral")) return address(new ERC20CollateralPool());
        if (h == keccak256("counterparty")) return address(new CounterpartyPool());
        return address(new AdminCounterpartyPool());
    }
}
