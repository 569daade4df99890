"""The demo jam generator (its output, resources/demo/demo_jam.jsonl, is what ships)."""
