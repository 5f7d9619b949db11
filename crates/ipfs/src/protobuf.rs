//! The few protobuf primitives dag-pb and UnixFS need, written by hand.
//!
//! A CID is the hash of exact bytes, so field order and presence must be what go-merkledag
//! and go-unixfs write (dag-pb puts `Links` (2) before `Data` (1)); a generated codec would
//! order fields by its own rules. Decoding is lenient about unknown fields, like Go's.

/// Protobuf wire type of varint fields.
pub(crate) const VARINT: u8 = 0;
/// Protobuf wire type of length-delimited fields (bytes, strings, messages, packed lists).
pub(crate) const LEN: u8 = 2;
/// Protobuf wire type of 8-byte fields, skipped when read.
const FIXED64: u8 = 1;
/// Protobuf wire type of 4-byte fields, skipped when read.
const FIXED32: u8 = 5;

/// Appends `value` as a base-128 varint.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a varint field.
pub(crate) fn put_uint_field(out: &mut Vec<u8>, field: u64, value: u64) {
    put_varint(out, field << 3 | u64::from(VARINT));
    put_varint(out, value);
}

/// Appends a length-delimited field.
pub(crate) fn put_bytes_field(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    put_varint(out, field << 3 | u64::from(LEN));
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// One decoded field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// A varint field.
    Varint(u64),
    /// A length-delimited field's bytes.
    Bytes(&'a [u8]),
    /// A fixed-width field, whose value nothing here needs.
    Fixed,
}

/// Reads the fields of one message in order.
pub(crate) struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    /// Starts reading `message`.
    pub(crate) fn new(message: &'a [u8]) -> Self {
        Self { rest: message }
    }

    /// Whether the whole message has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads a varint from the rest of the message.
    pub(crate) fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for (index, &byte) in self.rest.iter().enumerate().take(10) {
            let bits = u64::from(byte & 0x7f);
            if index == 9 && bits > 1 {
                return Err("varint overflows 64 bits".into());
            }
            value |= bits << (7 * index);
            if byte & 0x80 == 0 {
                self.rest = &self.rest[index + 1..];
                return Ok(value);
            }
        }
        Err("truncated or over-long varint".into())
    }

    fn take(&mut self, len: u64) -> Result<&'a [u8], String> {
        let len = usize::try_from(len).map_err(|_| "field length overflows".to_owned())?;
        if len > self.rest.len() {
            return Err(format!("field of {len} bytes with {} left", self.rest.len()));
        }
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(taken)
    }

    /// The next field number and value, or `None` at the end of the message.
    pub(crate) fn next_field(&mut self) -> Result<Option<(u64, Value<'a>)>, String> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = key >> 3;
        if field == 0 {
            return Err("field number 0".into());
        }
        let value = match (key & 7) as u8 {
            VARINT => Value::Varint(self.varint()?),
            LEN => {
                let len = self.varint()?;
                Value::Bytes(self.take(len)?)
            }
            FIXED64 => {
                self.take(8)?;
                Value::Fixed
            }
            FIXED32 => {
                self.take(4)?;
                Value::Fixed
            }
            wire => return Err(format!("unsupported wire type {wire} of field {field}")),
        };
        Ok(Some((field, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_their_byte_boundaries() {
        for value in [0, 1, 127, 128, 300, 16_383, 16_384, 262_144, u64::MAX] {
            let mut bytes = Vec::new();
            put_varint(&mut bytes, value);
            let mut fields = Fields::new(&bytes);
            assert_eq!(fields.varint(), Ok(value));
            assert!(fields.rest.is_empty());
        }
        let mut bytes = Vec::new();
        put_varint(&mut bytes, 300);
        assert_eq!(bytes, [0xac, 0x02]);
    }

    #[test]
    fn truncated_and_overflowing_input_is_refused() {
        assert!(Fields::new(&[0x80]).varint().is_err());
        assert!(Fields::new(&[0xff; 10]).varint().is_err());
        assert!(Fields::new(&[0x12, 0x05, 1, 2]).next_field().is_err());
        assert!(Fields::new(&[0x0b]).next_field().is_err(), "wire type 3 (groups)");
    }

    #[test]
    fn fields_are_read_in_order_with_fixed_ones_skipped() {
        let mut bytes = Vec::new();
        put_uint_field(&mut bytes, 3, 7);
        bytes.extend([0x29, 0, 0, 0, 0, 0, 0, 0, 0]);
        put_bytes_field(&mut bytes, 2, b"ab");
        let mut fields = Fields::new(&bytes);
        assert_eq!(fields.next_field(), Ok(Some((3, Value::Varint(7)))));
        assert_eq!(fields.next_field(), Ok(Some((5, Value::Fixed))));
        assert_eq!(fields.next_field(), Ok(Some((2, Value::Bytes(b"ab")))));
        assert_eq!(fields.next_field(), Ok(None));
    }
}
