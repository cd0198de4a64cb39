namespace Amber.Import.Formats;

/// <summary>Every format in this assembly, in detection order (the most specific first).</summary>
public static class FormatRegistry
{
    private static readonly Lazy<IReadOnlyList<IConversationFormat>> Formats = new(() => typeof(FormatRegistry).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IConversationFormat).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IConversationFormat)Activator.CreateInstance(t)!)
        .OrderBy(f => f.DetectionOrder)
        .ThenBy(f => f.Name, StringComparer.Ordinal)
        .ToList());

    public static IReadOnlyList<IConversationFormat> All => Formats.Value;

    public static IReadOnlyList<string> Names => All.Select(f => f.Name).ToList();
}
