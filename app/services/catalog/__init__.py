"""The matter catalog (通办事项清单): ``matters`` — rules, publishing guide versions, retiring;
``transfer`` — import and export in the province's spreadsheet form."""
