"""The demo jam: a deterministic, realistic #jamdeckdemo archive (see ``generator``)."""
