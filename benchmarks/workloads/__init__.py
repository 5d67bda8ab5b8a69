"""The workloads, one module each; ``WORKLOADS`` maps a name to its module name."""

WORKLOADS = {
    "W1": "w1_overhead",
    "W2": "w2_mlp",
    "W3": "w3_cnn",
    "W4a": "w4a_seed_loop",
    "W4b": "w4b_dynamic",
    "W5": "w5_memory",
    "W6": "w6_scaling",
    "W7": "w7_import",
}
