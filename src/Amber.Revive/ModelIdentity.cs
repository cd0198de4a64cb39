using Amber.Core.Model;

namespace Amber.Revive;

/// <summary>Whether two model references name the same model (for the substitute flag).</summary>
public static class ModelIdentity
{
    /// <summary>
    /// Same weights digest when both have one; otherwise same provider and same resolved (else requested)
    /// name. An unknown original is never "the same": a revival of it is always a substitute.
    /// </summary>
    public static bool IsSame(ModelReference? original, ModelReference actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        if (original is null)
        {
            return false;
        }

        if (original.WeightsSha256 is not null && actual.WeightsSha256 is not null)
        {
            return original.WeightsSha256 == actual.WeightsSha256;
        }

        return string.Equals(original.Provider, actual.Provider, StringComparison.OrdinalIgnoreCase)
            && string.Equals(original.Resolved ?? original.Requested, actual.Resolved ?? actual.Requested, StringComparison.OrdinalIgnoreCase);
    }
}
