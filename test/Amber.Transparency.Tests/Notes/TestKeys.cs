using Amber.Transparency.Notes;

namespace Amber.Transparency.Tests.Notes;

/// <summary>Deterministic keys for tests: the seed is a fixed pattern, so runs are reproducible.</summary>
internal static class TestKeys
{
    public static NoteSigner Signer(string name, byte seed = 1)
        => NoteSigner.Generate(name, span =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (byte)(seed + (i * 7));
            }
        });
}
