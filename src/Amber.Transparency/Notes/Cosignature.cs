using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Amber.Transparency.Notes;

/// <summary>
/// The c2sp.org/tlog-cosignature v1 layout (signature type 0x04): the signature bytes are a big-endian u64
/// POSIX timestamp followed by an Ed25519 signature over <c>cosignature/v1\ntime &lt;ts&gt;\n</c> plus the
/// checkpoint text.
/// </summary>
public static class Cosignature
{
    /// <summary>Bytes of an Ed25519 cosignature after the key ID: 8 timestamp bytes and a 64-byte signature.</summary>
    public const int Length = 8 + 64;

    /// <summary>The message a witness signs for <paramref name="checkpointText"/> at <paramref name="timestamp"/>.</summary>
    public static byte[] SignedMessage(ulong timestamp, ReadOnlySpan<byte> checkpointText)
    {
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"cosignature/v1\ntime {timestamp}\n"));
        var message = new byte[header.Length + checkpointText.Length];
        header.CopyTo(message, 0);
        checkpointText.CopyTo(message.AsSpan(header.Length));
        return message;
    }

    /// <summary>Reads the timestamp (POSIX seconds) a cosignature carries in its first eight bytes.</summary>
    public static bool TryReadTimestamp(NoteSignature signature, out ulong timestamp)
    {
        ArgumentNullException.ThrowIfNull(signature);
        timestamp = 0;
        if (signature.Signature.Length != Length)
        {
            return false;
        }

        timestamp = BinaryPrimitives.ReadUInt64BigEndian(signature.Signature.Span);
        return true;
    }
}
