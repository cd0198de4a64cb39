using Amber.Storage.FileSystem;

namespace Amber.Storage.Format;

/// <summary>Walks the frames of one segment file, one step at a time.</summary>
internal static class SegmentScanner
{
    public enum StepKind
    {
        /// <summary>A valid frame; <see cref="Step.Bytes"/> holds it.</summary>
        Frame,

        /// <summary>A valid footer; the segment is sealed.</summary>
        Footer,

        /// <summary>The file ends exactly here.</summary>
        End,

        /// <summary>Bytes that do not form a valid frame and that nothing valid follows: a torn write.</summary>
        Torn,

        /// <summary>A complete frame or footer whose checksum fails, or something other than a frame where one must be.</summary>
        Corrupt,
    }

    public readonly record struct Step(StepKind Kind, long Offset, byte[]? Bytes, string? Problem, SegmentFooter? Footer = null)
    {
        public long Next => Offset + (Bytes?.Length ?? 0);
    }

    public static Step Read(IStorageFile file, long offset, long length, string name)
    {
        if (offset == length)
        {
            return new Step(StepKind.End, offset, null, null);
        }

        Span<byte> head = stackalloc byte[8];
        var got = file.Read(offset, head);
        if (got >= 8 && SegmentFooter.StartsWithMagic(head))
        {
            var fb = new byte[SegmentFooter.Size];
            var n = file.Read(offset, fb);
            if (n < SegmentFooter.Size)
            {
                return new Step(StepKind.Torn, offset, null, $"footer cut short ({n} of {SegmentFooter.Size} bytes)");
            }

            try
            {
                var footer = SegmentFooter.Parse(fb, name, offset);
                if (footer.DataEnd != offset)
                {
                    return new Step(StepKind.Corrupt, offset, null, $"footer says data ends at {footer.DataEnd}, but it sits at {offset}");
                }

                var trailing = length - offset - SegmentFooter.Size;
                return trailing != 0
                    ? new Step(StepKind.Corrupt, offset, fb, $"{trailing} bytes follow the footer")
                    : new Step(StepKind.Footer, offset, fb, null, footer);
            }
            catch (CorruptArchiveException e)
            {
                var isLast = offset + SegmentFooter.Size >= length;
                return new Step(isLast ? StepKind.Torn : StepKind.Corrupt, offset, null, e.Message);
            }
        }

        var bodyLength = RecordFrame.ReadBodyLength(head[..Math.Min(got, 4)]);
        if (bodyLength is null)
        {
            var problem = got < 4 ? $"{got} stray bytes" : "length field out of range";
            return new Step(ValidDataFollows(file, offset, length) ? StepKind.Corrupt : StepKind.Torn, offset, null, problem);
        }

        var total = (long)bodyLength.Value + 12;
        if (offset + total > length)
        {
            var problem = $"frame of {total} bytes runs past the end of the file ({length - offset} bytes left)";
            return new Step(ValidDataFollows(file, offset, length) ? StepKind.Corrupt : StepKind.Torn, offset, null, problem);
        }

        var bytes = new byte[total];
        file.Read(offset, bytes);
        var check = RecordFrame.Check(bytes);
        if (check == FrameCheck.Ok)
        {
            return new Step(StepKind.Frame, offset, bytes, null);
        }

        // A damaged frame with nothing valid after it may be a torn write (several frames of one group commit
        // can be torn at once); one with valid data after it is corruption.
        var torn = offset + total == length || !ValidDataFollows(file, offset, length);
        return new Step(torn ? StepKind.Torn : StepKind.Corrupt, offset, bytes, Describe(check));
    }

    /// <summary>
    /// True if a valid frame or footer starts anywhere after <paramref name="offset"/>: then the bytes there are
    /// damage inside acknowledged data, not a torn write (a torn write only ever leaves garbage at the very end).
    /// </summary>
    public static bool ValidDataFollows(IStorageFile file, long offset, long length)
    {
        var size = length - offset;
        if (size <= 8 || size > int.MaxValue)
        {
            return size > int.MaxValue;
        }

        var tail = new byte[size];
        file.Read(offset, tail);
        for (var p = 1; p + RecordFrame.Overhead <= tail.Length; p++)
        {
            if (SegmentFooter.StartsWithMagic(tail.AsSpan(p)) && tail.Length - p >= SegmentFooter.Size)
            {
                try
                {
                    SegmentFooter.Parse(tail.AsSpan(p, SegmentFooter.Size), "", 0);
                    return true;
                }
                catch (CorruptArchiveException)
                {
                }
            }

            if (RecordFrame.ReadBodyLength(tail.AsSpan(p)) is int n && p + n + 12L <= tail.Length
                && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(p + 8 + n)) == (uint)n
                && RecordFrame.Check(tail.AsSpan(p, n + 12)) == FrameCheck.Ok)
            {
                return true;
            }
        }

        return false;
    }

    public static string Describe(FrameCheck check) => check switch
    {
        FrameCheck.BadLength => "length field out of range",
        FrameCheck.Truncated => "frame cut short",
        FrameCheck.TrailerMismatch => "trailing length differs from leading length",
        FrameCheck.ChecksumMismatch => "CRC-32C mismatch",
        FrameCheck.UnknownKind => "unknown frame kind, codec or flags",
        _ => check.ToString(),
    };
}
