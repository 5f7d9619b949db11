// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";
import {stdJson} from "forge-std/StdJson.sol";
import {ProxyAdmin} from "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol";

import {Deploy} from "../../script/Deploy.s.sol";
import {ERC20CollateralPool} from "../../contracts/collateral/ERC20CollateralPool.sol";
import {CounterpartyPool} from "../../contracts/counterparty/CounterpartyPool.sol";
import {IERC20CollateralPool} from "../../contracts/interfaces/IERC20CollateralPool.sol";

/// @notice script/Deploy.s.sol inside forge: what it deploys and records, and what it refuses.
/// Each test uses its own chain id, so its config and deployment file (under deployments/, the
/// one folder the scripts may write) never meet another test's.
contract DeployScriptTest is Test {
    using stdJson for string;

    uint256 internal constant KEY = 0xA11CE;
    address internal constant ADMIN = address(0xAD);

    string[] internal cleanup;

    function tearDown() internal {
        for (uint256 i; i < cleanup.length; ++i) {
            if (vm.exists(cleanup[i])) vm.removeFile(cleanup[i]);
        }
    }

    /// @notice Writes a mock-based config for `chainId` with `admin`, and selects that chain.
    function config(uint256 chainId, address admin) internal returns (string memory path) {
        string memory anvil = vm.readFile(string.concat(vm.projectRoot(), "/config/anvil.toml"));
        string memory text = vm.replace(anvil, "chain_id = 31337", string.concat("chain_id = ", vm.toString(chainId)));
        text = vm.replace(
            text,
            'admin = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"',
            string.concat('admin = "', vm.toString(admin), '"')
        );
        vm.createDir(string.concat(vm.projectRoot(), "/deployments"), true);
        path = string.concat(vm.projectRoot(), "/deployments/test-", vm.toString(chainId), ".toml");
        vm.writeFile(path, text);
        cleanup.push(path);
        cleanup.push(string.concat(vm.projectRoot(), "/deployments/", vm.toString(chainId), ".json"));
        vm.chainId(chainId);
    }

    function test_deploy_recordsEverythingAndHandsTheRolesToTheAdmin() public {
        string memory path = config(900_001, ADMIN);
        string memory out = new Deploy().deploy(path, false, KEY, "abc123");
        string memory json = vm.readFile(out);

        assertEq(json.readUint(".chainId"), 900_001);
        assertEq(json.readString(".commit"), "abc123");
        assertEq(json.readAddress(".deployer"), vm.addr(KEY));
        assertEq(json.readAddress(".admin"), ADMIN);
        ERC20CollateralPool pool = ERC20CollateralPool(json.readAddress(".collateralPool.proxy"));
        assertEq(pool.poolsLength(), 2, "both configured pools");
        assertEq(json.readAddress(".pools[1].collateralToken"), json.readAddress(".mocks.collaterals[1].token"));
        (, IERC20CollateralPool.CollateralDetails memory c,,,,, uint24 interest) = pool.pools(0);
        assertEq(c.collateralTokenLTVPercentage, 6500);
        assertEq(interest, 1000);
        assertEq(pool.USDC(), json.readAddress(".mocks.usdc"));

        string[3] memory keys = ["collateralPool", "counterpartyPool", "adminCounterpartyPool"];
        for (uint256 i; i < keys.length; ++i) {
            address proxy = json.readAddress(string.concat(".", keys[i], ".proxy"));
            address proxyAdmin = json.readAddress(string.concat(".", keys[i], ".proxyAdmin"));
            assertEq(ProxyAdmin(proxyAdmin).owner(), ADMIN, "ProxyAdmin owned by the admin");
            assertTrue(CounterpartyPool(proxy).hasRole(0x00, ADMIN), "admin role granted");
            assertFalse(CounterpartyPool(proxy).hasRole(0x00, vm.addr(KEY)), "deployer renounced");
            address implementation = json.readAddress(string.concat(".", keys[i], ".implementation"));
            assertEq(
                address(
                    uint160(uint256(vm.load(proxy, 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc)))
                ),
                implementation
            );
            assertTrue(vm.keyExistsJson(json, string.concat(".", keys[i], ".storageLayout.root.members")));
        }
        tearDown();
    }

    function test_deploy_revertsWhen_configIsForAnotherChain() public {
        string memory path = config(900_002, ADMIN);
        vm.chainId(1);
        Deploy script = new Deploy();
        vm.expectRevert(abi.encodeWithSelector(Deploy.WrongChain.selector, 900_002, 1));
        script.deploy(path, false, KEY, "");
        tearDown();
    }

    function test_deploy_revertsWhen_alreadyDeployedWithoutForce() public {
        string memory path = config(900_003, ADMIN);
        string memory out = new Deploy().deploy(path, false, KEY, "first");
        Deploy again = new Deploy();
        vm.expectRevert(abi.encodeWithSelector(Deploy.AlreadyDeployed.selector, 900_003, out));
        again.deploy(path, false, KEY, "second");

        new Deploy().deploy(path, true, KEY, "forced");
        assertEq(vm.readFile(out).readString(".commit"), "forced");
        tearDown();
    }

    function test_deploy_revertsWhen_adminIsZero() public {
        string memory path = config(900_004, address(0));
        Deploy script = new Deploy();
        vm.expectRevert(abi.encodeWithSelector(Deploy.ConfigInvalid.selector, "admin is the zero address"));
        script.deploy(path, false, KEY, "");
        tearDown();
    }

    function test_deploy_revertsWhen_aPoolNamesAnUnknownMock() public {
        string memory path = config(900_005, ADMIN);
        vm.writeFile(
            path, vm.replace(vm.readFile(path), 'collateral_token = "mock:DFTR"', 'collateral_token = "mock:NOPE"')
        );
        Deploy script = new Deploy();
        vm.expectRevert(abi.encodeWithSelector(Deploy.ConfigInvalid.selector, "pools[1]: no mock called NOPE"));
        script.deploy(path, false, KEY, "");
        tearDown();
    }
}
