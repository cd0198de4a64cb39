namespace Amber.Fuzz.Soak;

/// <summary>Placeholder replaced below.</summary>
public static class SoakCommand
{
    public static int Run(Dictionary<string, string> options) => options.Count;
}
