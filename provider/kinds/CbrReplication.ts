import { shim } from "../resources/shim";

export = shim("CbrReplication");
