; Inno Setup 6 script for caseapp: a per-user installation that needs no administrator rights.
;
; Compile on Windows after building the bundle (packaging/build_bundle.py):
;   iscc /DAppVersion=0.1.0 /DBundleDir=..\dist\caseapp /DOutputDir=..\dist packaging\caseapp.iss
;
; Installs into %LOCALAPPDATA%\Programs\caseapp (an ASCII-only folder is proposed instead when the
; user profile path holds non-ASCII characters, e.g. C:\Users\张三), adds a Start-menu shortcut
; and an uninstaller (Settings > Apps). The workspace with the database and the evidence
; (%LOCALAPPDATA%\caseapp) is never touched by installing, upgrading or uninstalling.
; This file is UTF-8 with a byte order mark, as Inno Setup needs for the Chinese texts.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\caseapp"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif
#define AppName "caseapp"
#define AppExe "caseapp.exe"
#define CliExe "caseapp-cli.exe"

; Simplified Chinese ships with recent Inno Setup releases; older ones take the translation
; placed next to this script (the Windows workflow fetches it when the compiler lacks it).
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define ChineseMessages "compiler:Languages\ChineseSimplified.isl"
#else
  #define ChineseMessages AddBackslash(SourcePath) + "ChineseSimplified.isl"
#endif

[Setup]
AppId={{5E0C2D8B-7A41-4C63-9F2E-1B8D4A6C3E90}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=caseapp
VersionInfoVersion={#AppVersion}
VersionInfoProductName=caseapp
VersionInfoDescription=caseapp setup
; Per user, no elevation: Program Files is not writable, so the user's own programs folder.
PrivilegesRequired=lowest
DefaultDirName={code:DefaultInstallDir}
UsePreviousAppDir=yes
DisableProgramGroupPage=yes
DefaultGroupName={#AppName}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=caseapp-{#AppVersion}-setup
SetupIconFile=..\resources\icons\caseapp.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage
CloseApplications=yes
RestartApplications=no
SetupLogging=yes

[Languages]
Name: "chinesesimplified"; MessagesFile: "{#ChineseMessages}"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
english.CommandLine=caseapp command line
chinesesimplified.CommandLine=caseapp 命令行
english.DemoCase=caseapp with the demo case
chinesesimplified.DemoCase=caseapp（演示案件）

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the program files wholesale, so that no module of an older version remains.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; IconFilename: "{app}\{#AppExe}"
Name: "{autoprograms}\{cm:DemoCase}"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"; WorkingDir: "{app}"
Name: "{autoprograms}\{cm:CommandLine}"; Filename: "{cmd}"; Parameters: "/k cd /d ""{app}"" && {#CliExe} --help"; WorkingDir: "{app}"
Name: "{autoprograms}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program itself may leave beside its files; never the workspace.
Type: filesandordirs; Name: "{app}\_internal"

[Code]
function IsAscii(const Text: String): Boolean;
var
  I: Integer;
begin
  Result := True;
  for I := 1 to Length(Text) do
    if Ord(Text[I]) > 127 then
    begin
      Result := False;
      Exit;
    end;
end;

{ Qt has failed to load its plugins from non-ASCII folders: propose an ASCII folder then. }
function DefaultInstallDir(Param: String): String;
begin
  Result := ExpandConstant('{userpf}\{#AppName}');
  if not IsAscii(Result) then
    Result := ExpandConstant('{sd}\{#AppName}');
end;
