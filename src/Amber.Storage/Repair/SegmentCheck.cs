using System.Security.Cryptography;
using Amber.Storage.FileSystem;
using Amber.Storage.Format;

namespace Amber.Storage.Repair;

/// <summary>
/// Checks one segment file on its own, without opening the archive: header (magic, checksum, number, archive id), every
/// frame's length and CRC, and a sealed segment's footer SHA-256 and frame count. Returns the first bad offset.
/// </summary>
internal static class SegmentCheck
{
    /// <summary>Null when the segment is whole; else the offset of the first byte that fails and what fails there.</summary>
    public static (long Offset, string Problem)? FirstDamage(IFileSystem fs, string path, uint number, byte[] archiveId)
    {
        var name = ArchivePaths.SegmentName(number);
        using var file = fs.OpenRead(path);
        var length = file.Length;
        var headerBytes = new byte[SegmentHeader.Size];
        if (file.Read(0, headerBytes) < SegmentHeader.Size)
        {
            return (0, $"header cut short ({length} bytes)");
        }

        try
        {
            var header = SegmentHeader.Parse(headerBytes, name);
            if (header.Number != number)
            {
                return (12, $"header says segment {header.Number}");
            }

            if (!header.ArchiveId.AsSpan().SequenceEqual(archiveId))
            {
                return (16, $"belongs to archive {Convert.ToHexStringLower(header.ArchiveId)}");
            }
        }
        catch (CorruptArchiveException e)
        {
            return (0, e.Message);
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(headerBytes);
        long pos = SegmentHeader.Size;
        uint frames = 0;
        while (true)
        {
            var step = SegmentScanner.Read(file, pos, length, name);
            switch (step.Kind)
            {
                case SegmentScanner.StepKind.Frame:
                    sha.AppendData(step.Bytes!);
                    frames++;
                    pos = step.Next;
                    continue;
                case SegmentScanner.StepKind.End:
                    return null;
                case SegmentScanner.StepKind.Footer:
                    var digest = sha.GetHashAndReset();
                    if (!digest.AsSpan().SequenceEqual(step.Footer!.Sha256))
                    {
                        return (pos, "footer SHA-256 does not match the data");
                    }

                    return step.Footer.FrameCount != frames ? (pos, $"footer counts {step.Footer.FrameCount} frames, found {frames}") : null;
                default:
                    return (pos, step.Problem ?? step.Kind.ToString());
            }
        }
    }
}
