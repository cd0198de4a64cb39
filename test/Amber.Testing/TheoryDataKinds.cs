namespace Amber.Testing;

/// <summary>The file-system kinds as xunit theory data.</summary>
public sealed class TheoryDataKinds : Xunit.TheoryData<FileSystemKind>
{
}
