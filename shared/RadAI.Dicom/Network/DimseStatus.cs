namespace RadAI.Dicom.Network;

/// <summary>DIMSE status codes (PS3.7 C, PS3.4 B.2.3 for C-STORE) and their meaning.</summary>
public static class DimseStatus
{
    public const ushort Success = 0x0000;
    public const ushort Cancel = 0xFE00;
    public const ushort Pending = 0xFF00;

    /// <summary>Warning: coercion of data elements.</summary>
    public const ushort CoercionOfDataElements = 0xB000;

    /// <summary>Warning: elements discarded.</summary>
    public const ushort ElementsDiscarded = 0xB006;

    /// <summary>Warning: data set does not match SOP class.</summary>
    public const ushort DataSetDoesNotMatchSopClassWarning = 0xB007;

    /// <summary>Failure: out of resources (e.g. no disk space).</summary>
    public const ushort OutOfResources = 0xA700;

    /// <summary>Failure: data set does not match SOP class.</summary>
    public const ushort DataSetDoesNotMatchSopClass = 0xA900;

    /// <summary>Failure: cannot understand.</summary>
    public const ushort CannotUnderstand = 0xC000;

    /// <summary>Failure: SOP class not supported.</summary>
    public const ushort SopClassNotSupported = 0x0122;

    /// <summary>Failure: unrecognized operation.</summary>
    public const ushort UnrecognizedOperation = 0x0211;

    /// <summary>Failure: duplicate invocation (message id in use).</summary>
    public const ushort DuplicateInvocation = 0x0210;

    /// <summary>Failure: processing failure.</summary>
    public const ushort ProcessingFailure = 0x0110;

    public static bool IsSuccess(ushort status) => status == Success;

    /// <summary>Warnings: 0001, Bxxx, and 0107/0116 (attribute list/value out of range).</summary>
    public static bool IsWarning(ushort status) => status is 0x0001 or 0x0107 or 0x0116 || (status & 0xF000) == 0xB000;

    public static bool IsPending(ushort status) => status is 0xFF00 or 0xFF01;

    public static bool IsFailure(ushort status) => !IsSuccess(status) && !IsWarning(status) && !IsPending(status) && status != Cancel;

    /// <summary>A short description, e.g. "A700 Out of resources".</summary>
    public static string Describe(ushort status) => $"{status:X4} " + status switch
    {
        Success => "Success",
        Cancel => "Cancel",
        Pending or 0xFF01 => "Pending",
        CoercionOfDataElements => "Warning: coercion of data elements",
        ElementsDiscarded => "Warning: elements discarded",
        DataSetDoesNotMatchSopClassWarning => "Warning: data set does not match SOP class",
        OutOfResources => "Failure: out of resources",
        DataSetDoesNotMatchSopClass => "Failure: data set does not match SOP class",
        SopClassNotSupported => "Failure: SOP class not supported",
        UnrecognizedOperation => "Failure: unrecognized operation",
        DuplicateInvocation => "Failure: duplicate invocation",
        ProcessingFailure => "Failure: processing failure",
        _ when (status & 0xF000) == 0xA000 => "Failure: out of resources or refused",
        _ when (status & 0xF000) == 0xC000 => "Failure: cannot understand",
        _ when IsWarning(status) => "Warning",
        _ => "Failure",
    };
}
