/**
 * Deployments: which actor runs on which node, built by which factory — fed to the simulator
 * (world/) and to emulation (exec/emulate/) alike.
 */
export { Deployment, type DeployedActor, type ReadonlyDeployment } from './deployment.ts';
