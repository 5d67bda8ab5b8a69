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
    "W8": "w8_lstmcell",
    "W9": "w9_gpt",
    "W10": "w10_lstm",
    "W11": "w11_dynamic_net",
}
