using Amber.Core.Json;
using Amber.Fuzz.Engine;

namespace Amber.Fuzz.Targets;

/// <summary>
/// RFC 8785 canonical JSON, which every node id hangs on. Its documented error is <see cref="CanonicalJsonException"/>;
/// canonical output must be a fixed point (canonicalizing it again gives the same bytes).
/// </summary>
public sealed class CanonicalJsonTarget : IFuzzTarget
{
    public string Name => "canonical-json";

    public IReadOnlyList<byte[]> Seeds { get; } =
    [
        """{"b":[1,2.5,-0,1e21,1e-7,true,null],"a":{"é":"\u00e9\n","\ud83d\ude00":"x"},"c":"\u0000\u001f\"\\"}"""u8.ToArray(),
        """[{"role":"user","content":[{"type":"text","text":"hi"}]},123456789012345678901234567890,0.1,{"":{}}]"""u8.ToArray(),
        """{"numbers":[9007199254740993,5e-324,1.7976931348623157e308,333333333.33333329]}"""u8.ToArray(),
    ];

    public Verdict Run(byte[] input)
    {
        byte[] canonical;
        try
        {
            canonical = CanonicalJson.Canonicalize(input);
        }
        catch (CanonicalJsonException)
        {
            return Verdict.Rejected;
        }

        if (!CanonicalJson.Canonicalize(canonical).AsSpan().SequenceEqual(canonical))
        {
            throw new FuzzFailure("canonical JSON is not a fixed point: canonicalizing the output again changed it");
        }

        return Verdict.Accepted;
    }

    public void Dispose()
    {
    }
}
