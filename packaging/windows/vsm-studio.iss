; Inno Setup 6 script: the Windows installer of VSM Studio, made from dist\vsm-studio\ (the
; folder packaging/build.py builds). It installs the folder, adds a Start-menu shortcut to the
; editor, and registers .vsm files (ProgId VSMStudio.Document) to open in it. Built by
; .github/workflows/bundle.yml:
;
;   iscc /DAppVersion=0.1.0 /DPlatformTag=windows-amd64 packaging\windows\vsm-studio.iss
;
; which writes dist\vsm-studio-<version>-<platform>-setup.exe beside the .zip of the folder. Per-user by default (no
; administrator rights needed); the installer offers all users too. Registry keys go under
; HKA, the user's or the machine's classes to match.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\vsm-studio.iss
#endif
#ifndef PlatformTag
  #define PlatformTag "windows-amd64"
#endif
#define Root "..\.."
#define ProgId "VSMStudio.Document"

[Setup]
; AppId identifies the product for upgrades and the uninstaller: never change it.
AppId={{6E0B7A52-3C4F-4D1E-9A57-2F5B8C1D9E40}
AppName=VSM Studio
AppVersion={#AppVersion}
AppVerName=VSM Studio {#AppVersion}
AppPublisher=VSM Studio
DefaultDirName={autopf}\VSM Studio
DefaultGroupName=VSM Studio
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
SetupIconFile={#Root}\resources\icons\vsm-studio.ico
UninstallDisplayIcon={app}\vsm-editor.exe
UninstallDisplayName=VSM Studio
OutputDir={#Root}\dist
OutputBaseFilename=vsm-studio-{#AppVersion}-{#PlatformTag}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\vsm-studio\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an upgrade replaces the bundled libraries whole: none of an older version's is left behind
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\VSM Studio"; Filename: "{app}\vsm-editor.exe"; Comment: "Draw, analyse, compare and present value streams"
Name: "{autodesktop}\VSM Studio"; Filename: "{app}\vsm-editor.exe"; Tasks: desktopicon

[Registry]
; .vsm -> VSMStudio.Document, opened by the editor with the file as its argument
Root: HKA; Subkey: "Software\Classes\.vsm"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.vsm\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "VSM Studio value stream"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\vsm-editor.exe,0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\vsm-editor.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\vsm-editor.exe"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "VSM Studio"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\vsm-editor.exe\SupportedTypes"; ValueType: string; ValueName: ".vsm"; ValueData: ""

[Run]
Filename: "{app}\vsm-editor.exe"; Description: "{cm:LaunchProgram,VSM Studio}"; Flags: nowait postinstall skipifsilent
