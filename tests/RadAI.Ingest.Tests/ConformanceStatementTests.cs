using RadAI.Dicom;
using RadAI.Dicom.Network;
using RadAI.DicomIngest.Listening;
using RadAI.Ingest.Tests.Support;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>
/// docs/dicom-conformance-statement.md against the tables dicom-ingest negotiates with: a PACS engineer tests RadAI
/// against the statement, so it may not drift from the code. (No server: the tables only.)
/// </summary>
public sealed class ConformanceStatementTests
{
    [Fact]
    public void The_SOP_classes_of_the_statement_are_exactly_those_the_storage_SCP_accepts()
    {
        var stated = ConformanceStatement.AcceptedSopClasses;

        Assert.Equal(stated.Count, stated.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(stated.Except(DicomListenerService.StorageSopClasses, StringComparer.Ordinal));
        Assert.Empty(DicomListenerService.StorageSopClasses.Except(stated, StringComparer.Ordinal));
        // What the statement says is never accepted.
        Assert.Contains(DicomUids.Verification, stated);
        Assert.DoesNotContain(DicomUids.StorageCommitmentPushModel, stated);
        Assert.DoesNotContain(DicomUids.MediaStorageDirectoryStorage, stated);
    }

    [Fact]
    public void The_default_transfer_syntaxes_of_the_statement_are_those_the_SCP_accepts_in_its_order_of_preference()
    {
        Assert.Equal(DicomServerOptions.DecodableTransferSyntaxes, ConformanceStatement.DefaultTransferSyntaxes);
    }

    [Fact]
    public void The_transfer_syntaxes_the_statement_lists_for_the_star_setting_are_those_it_adds()
    {
        var added = DicomServerOptions.AllTransferSyntaxes.Except(DicomServerOptions.DecodableTransferSyntaxes, StringComparer.Ordinal).ToList();

        Assert.Equal(added, ConformanceStatement.AllOnlyTransferSyntaxes);
        Assert.Empty(ConformanceStatement.AllOnlyTransferSyntaxes.Intersect(ConformanceStatement.DefaultTransferSyntaxes, StringComparer.Ordinal));
    }
}
