"""The court-ready export (证据材料包): report context, PDF and DOCX dossiers, BagIt package,
package verification. Renderers use only the report context; no Qt."""
