"""The open KAATSU cuff GATT profile: identifiers, value types and the pure frame codec."""
