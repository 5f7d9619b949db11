// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";
import {stdJson} from "forge-std/StdJson.sol";

import {Deploy} from "../../script/Deploy.s.sol";
import {Upgrade} from "../../script/Upgrade.s.sol";
import {ERC20CollateralPool} from "../../contracts/collateral/ERC20CollateralPool.sol";

/// @notice script/Upgrade.s.sol inside forge, on a deployment made by script/Deploy.s.sol.
contract UpgradeScriptTest is Test {
    using stdJson for string;

    uint256 internal constant KEY = 0xB0B;

    function deployOn(uint256 chainId) internal returns (string memory config, string memory out) {
        vm.chainId(chainId);
        vm.createDir(string.concat(vm.projectRoot(), "/deployments"), true);
        string memory anvil = vm.readFile(string.concat(vm.projectRoot(), "/config/anvil.toml"));
        config = string.concat(vm.projectRoot(), "/deployments/test-", vm.toString(chainId), ".toml");
        string memory text = vm.replace(anvil, "chain_id = 31337", string.concat("chain_id = ", vm.toString(chainId)));
        // The deployer is the admin here, so it owns the ProxyAdmins it upgrades through.
        vm.writeFile(
            config,
            vm.replace(
                text,
                'admin = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"',
                string.concat('admin = "', vm.toString(vm.addr(KEY)), '"')
            )
        );
        out = new Deploy().deploy(config, false, KEY, "v1");
    }

    function test_upgrade_replacesTheImplementationAndKeepsState() public {
        (string memory config, string memory out) = deployOn(900_101);
        string memory before = vm.readFile(out);
        ERC20CollateralPool pool = ERC20CollateralPool(before.readAddress(".collateralPool.proxy"));

        address implementation = new Upgrade().upgrade("collateral", KEY, true);

        string memory afterwards = vm.readFile(out);
        assertEq(afterwards.readAddress(".collateralPool.implementation"), implementation);
        assertTrue(implementation != before.readAddress(".collateralPool.implementation"));
        assertEq(
            afterwards.readAddress(".counterpartyPool.implementation"),
            before.readAddress(".counterpartyPool.implementation")
        );
        assertEq(pool.poolsLength(), 2, "pools survive the upgrade");
        vm.removeFile(config);
        vm.removeFile(out);
    }

    function test_upgrade_revertsWhen_theLayoutWasNotChecked() public {
        (string memory config, string memory out) = deployOn(900_102);
        Upgrade script = new Upgrade();
        vm.expectRevert(Upgrade.LayoutNotChecked.selector);
        script.upgrade("collateral", KEY, false);
        vm.removeFile(config);
        vm.removeFile(out);
    }

    function test_upgrade_revertsWhen_theTargetIsUnknown() public {
        (string memory config, string memory out) = deployOn(900_103);
        Upgrade script = new Upgrade();
        vm.expectRevert(abi.encodeWithSelector(Upgrade.UnknownTarget.selector, "treasury"));
        script.upgrade("treasury", KEY, true);
        vm.removeFile(config);
        vm.removeFile(out);
    }

    function test_upgrade_revertsWhen_nothingIsDeployed() public {
        vm.chainId(900_104);
        Upgrade script = new Upgrade();
        string memory path = string.concat(vm.projectRoot(), "/deployments/900104.json");
        vm.expectRevert(abi.encodeWithSelector(Upgrade.NotDeployed.selector, 900_104, path));
        script.upgrade("counterparty", KEY, true);
    }
}
