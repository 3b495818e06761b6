//! Just enough of MPEG audio to measure a narration and cut its preview: frame headers are
//! parsed here (no decoder), so a preview is always a run of whole frames.
//!
//! A stream is: an optional ID3v2 tag, frames (the first may be a Xing/Info/VBRI header
//! frame that carries no audio), and an optional ID3v1 tag (`TAG` + 125 bytes). Bytes that
//! are not a frame are skipped one at a time until the next frame header.

/// One parsed MPEG audio frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHeader {
    /// Whole frame length in bytes, header included.
    pub length: usize,
    /// PCM samples the frame decodes to (per channel).
    pub samples: u32,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    pub mono: bool,
    /// MPEG version: 1 for MPEG-1, 2 for MPEG-2 and MPEG-2.5.
    pub version: u8,
    pub layer: u8,
}

impl FrameHeader {
    /// The frame's playing time in nanoseconds.
    pub fn duration_ns(&self) -> u64 {
        u64::from(self.samples) * 1_000_000_000 / u64::from(self.sample_rate)
    }
}

const BITRATES_V1: [[u32; 15]; 3] = [
    [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ],
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ],
    [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ],
];
const BITRATES_V2: [[u32; 15]; 3] = [
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

/// Parse the four bytes at the start of `bytes` as a frame header. `None` for anything that
/// is not a valid header (no sync, reserved values, free-format or bad bitrate).
pub fn parse_header(bytes: &[u8]) -> Option<FrameHeader> {
    let &[b0, b1, b2, b3, ..] = bytes else {
        return None;
    };
    if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
        return None;
    }
    let version_bits = (b1 >> 3) & 0b11;
    let layer_bits = (b1 >> 1) & 0b11;
    let bitrate_index = usize::from(b2 >> 4);
    let rate_index = usize::from((b2 >> 2) & 0b11);
    let padding = u32::from((b2 >> 1) & 1);
    if version_bits == 0b01 || layer_bits == 0 || bitrate_index == 0 || bitrate_index == 15 {
        return None;
    }
    if rate_index == 3 {
        return None;
    }
    let layer = 4 - layer_bits; // 0b11 = Layer I, 0b10 = II, 0b01 = III
    let mpeg1 = version_bits == 0b11;
    let table = if mpeg1 { &BITRATES_V1 } else { &BITRATES_V2 };
    let bitrate = table[usize::from(layer - 1)][bitrate_index] * 1000;
    let base_rate = [44_100, 48_000, 32_000][rate_index];
    let sample_rate = match version_bits {
        0b11 => base_rate,
        0b10 => base_rate / 2,
        _ => base_rate / 4, // MPEG-2.5
    };
    let samples = match (layer, mpeg1) {
        (1, _) => 384,
        (2, _) | (3, true) => 1152,
        _ => 576,
    };
    let length = if layer == 1 {
        (12 * bitrate / sample_rate + padding) * 4
    } else {
        samples / 8 * bitrate / sample_rate + padding
    };
    Some(FrameHeader {
        length: length as usize,
        samples,
        sample_rate,
        mono: (b3 >> 6) == 0b11,
        version: if mpeg1 { 1 } else { 2 },
        layer,
    })
}

/// A frame found in a stream: where it starts and its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    pub offset: usize,
    pub header: FrameHeader,
}

/// The audio frames of a stream, in order (tags and a Xing/Info/VBRI header frame left out).
pub fn frames(data: &[u8]) -> Vec<Frame> {
    let mut found = Vec::new();
    let mut pos = id3v2_length(data).min(data.len());
    let mut first = true;
    while pos + 4 <= data.len() {
        if data[pos..].starts_with(b"TAG") && data.len() - pos == 128 {
            break; // ID3v1 at the very end
        }
        match parse_header(&data[pos..]) {
            Some(header) if header.length >= 4 && pos + header.length <= data.len() => {
                let frame = &data[pos..pos + header.length];
                if !(first && is_info_frame(frame)) {
                    found.push(Frame {
                        offset: pos,
                        header,
                    });
                }
                first = false;
                pos += header.length;
            }
            _ => pos += 1,
        }
    }
    found
}

/// The playing time of a stream in milliseconds.
pub fn duration_ms(data: &[u8]) -> u64 {
    frames(data)
        .iter()
        .map(|f| f.header.duration_ns())
        .sum::<u64>()
        / 1_000_000
}

/// The first whole frames of `data` that play for at most `max_seconds`: tags and the
/// Xing/Info header frame are dropped (its frame count would describe the whole file).
pub fn preview(data: &[u8], max_seconds: u32) -> Vec<u8> {
    let limit = u64::from(max_seconds) * 1_000_000_000;
    let mut out = Vec::new();
    let mut elapsed = 0u64;
    for frame in frames(data) {
        elapsed += frame.header.duration_ns();
        if elapsed > limit {
            break;
        }
        out.extend_from_slice(&data[frame.offset..frame.offset + frame.header.length]);
    }
    out
}

/// Length of a leading ID3v2 tag (header, body and optional footer), 0 when there is none.
fn id3v2_length(data: &[u8]) -> usize {
    match data {
        [b'I', b'D', b'3', _, _, flags, s0, s1, s2, s3, ..]
            if [s0, s1, s2, s3].iter().all(|b| **b < 0x80) =>
        {
            let size = (usize::from(*s0) << 21)
                | (usize::from(*s1) << 14)
                | (usize::from(*s2) << 7)
                | usize::from(*s3);
            let footer = if flags & 0x10 != 0 { 10 } else { 0 };
            10 + size + footer
        }
        _ => 0,
    }
}

/// Whether a frame is a Xing/Info/VBRI header rather than audio.
fn is_info_frame(frame: &[u8]) -> bool {
    let head = &frame[..frame.len().min(64)];
    head.windows(4)
        .any(|w| w == b"Xing" || w == b"Info" || w == b"VBRI")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An MPEG-2 Layer III, 24 kbit/s, 16 kHz mono header (what the narration script makes).
    const HEADER: [u8; 4] = [0xFF, 0xF3, 0x38, 0xC4];

    fn stream(frames: usize) -> Vec<u8> {
        let header = parse_header(&HEADER).unwrap();
        let mut out = Vec::new();
        for _ in 0..frames {
            out.extend_from_slice(&HEADER);
            out.resize(out.len() + header.length - 4, 0x55);
        }
        out
    }

    #[test]
    fn parses_the_narration_format() {
        let h = parse_header(&HEADER).unwrap();
        assert_eq!(
            (h.version, h.layer, h.sample_rate, h.samples),
            (2, 3, 16_000, 576)
        );
        assert_eq!(h.length, 108); // 72 * 24000 / 16000
        assert!(h.mono);
        assert_eq!(h.duration_ns(), 36_000_000);
    }

    #[test]
    fn parses_mpeg1_layer3_with_padding() {
        // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, padded: 417 + 1 bytes.
        let h = parse_header(&[0xFF, 0xFB, 0x92, 0x00]).unwrap();
        assert_eq!(
            (h.version, h.layer, h.sample_rate, h.samples),
            (1, 3, 44_100, 1152)
        );
        assert_eq!(h.length, 418);
        assert!(!h.mono);
    }

    #[test]
    fn rejects_what_is_not_a_header() {
        assert_eq!(parse_header(&[0xFF, 0xF3]), None);
        assert_eq!(parse_header(b"ID3\x04"), None);
        assert_eq!(parse_header(&[0xFF, 0xF3, 0xF8, 0xC4]), None, "bitrate 15");
        assert_eq!(parse_header(&[0xFF, 0xF3, 0x08, 0xC4]), None, "free format");
        assert_eq!(
            parse_header(&[0xFF, 0xF3, 0x3C, 0xC4]),
            None,
            "reserved rate"
        );
        assert_eq!(
            parse_header(&[0xFF, 0xEB, 0x38, 0xC4]),
            None,
            "reserved version"
        );
    }

    #[test]
    fn preview_keeps_whole_frames_up_to_the_limit() {
        let data = stream(2000); // 72 s
        assert_eq!(duration_ms(&data), 72_000);
        let cut = preview(&data, 30);
        assert_eq!(cut.len() % 108, 0);
        assert_eq!(frames(&cut).len(), 833); // 833 * 36 ms = 29.988 s
        assert!(duration_ms(&cut) <= 30_000);
        assert_eq!(&cut[..], &data[..cut.len()]);
        // A short stream is kept whole.
        assert_eq!(preview(&stream(10), 30), stream(10));
    }

    #[test]
    fn tags_and_the_info_frame_are_skipped() {
        let mut data = b"ID3\x04\x00\x00\x00\x00\x00\x05hello".to_vec();
        let mut info = stream(1);
        info[20..24].copy_from_slice(b"Info");
        data.extend_from_slice(&info);
        data.extend_from_slice(&stream(3));
        let mut v1 = b"TAG".to_vec();
        v1.resize(128, 0);
        data.extend_from_slice(&v1);
        assert_eq!(frames(&data).len(), 3);
        assert_eq!(preview(&data, 30), stream(3));
    }

    #[test]
    fn the_bundled_narrations_are_measured() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/ai-foundations/01-transformer-revolution.mp3"
        );
        let data = std::fs::read(path).unwrap();
        let total = duration_ms(&data);
        assert!(total > 60_000, "{total} ms");
        let cut = preview(&data, 30);
        let cut_ms = duration_ms(&cut);
        assert!((29_000..=30_000).contains(&cut_ms), "{cut_ms} ms");
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_bytes_never_panics(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = parse_header(&data);
            let found = frames(&data);
            for frame in &found {
                prop_assert!(frame.offset + frame.header.length <= data.len());
            }
            let cut = preview(&data, 1);
            prop_assert!(duration_ms(&cut) <= 1_000);
        }

        #[test]
        fn headers_with_sync_never_panic(b1 in 0xE0u8..=0xFF, b2: u8, b3: u8) {
            if let Some(h) = parse_header(&[0xFF, b1, b2, b3]) {
                prop_assert!(h.length > 0 && h.sample_rate >= 8_000);
            }
        }
    }
}
